/** Whether the keyboard shortcuts dialog is open (the `?` key, or the account menu). */
export function useShortcutsHelp() {
  return useState('shortcuts-help-open', () => false)
}
