/**
 * The keyboard shortcuts the help dialog (`?`) lists: keys as UKbd spells them, the action as a
 * key under `shortcuts.actions` in the locale files. Where a shortcut is handled: layouts/default.vue
 * (new chat, help, focus composer), ChatView (stop), ChatComposer (send, new line).
 */
export const SHORTCUTS = [
  { keys: ['enter'], action: 'send' },
  { keys: ['shift', 'enter'], action: 'newLine' },
  { keys: ['escape'], action: 'stop' },
  { keys: ['shift', 'escape'], action: 'focusComposer' },
  { keys: ['meta', 'shift', 'o'], action: 'newChat' },
  { keys: ['meta', '/'], action: 'help' },
  { keys: ['?'], action: 'helpOutsideText' },
  { keys: ['tab'], action: 'nextControl' },
  { keys: ['escape'], action: 'closeDialog' },
] as const

export type ShortcutKey = (typeof SHORTCUTS)[number]['keys'][number]
