/**
 * Where keyboard users go to type: the message composer of the page, if it has one. Each
 * composer registers itself while mounted; the skip link, the Shift+Esc shortcut and actions that
 * remove the focused element (deleting a chat) use it.
 *
 * @example
 * const { present, focusComposer } = useComposerFocus()
 * if (!focusComposer()) newChatButton.value?.focus()
 */
export function useComposerFocus() {
  // A count, not a flag: on navigation the next page's composer mounts before the last one unmounts.
  const mounted = useState('composers-mounted', () => 0)
  const present = computed(() => mounted.value > 0)

  /** Call from a composer's setup: counts it while it is mounted. */
  function registerComposer(): void {
    onMounted(() => { mounted.value++ })
    onBeforeUnmount(() => { mounted.value-- })
  }

  /** Focuses the composer; false when the page has none. */
  function focusComposer(): boolean {
    const input = import.meta.client ? document.getElementById(COMPOSER_INPUT_ID) : null
    if (!input) return false
    input.focus()
    return true
  }

  return { present, registerComposer, focusComposer }
}

/** The composer's textarea id: the skip link's target. */
export const COMPOSER_INPUT_ID = 'composer-input'

/**
 * Focuses the first visible element matching `selector` (the sidebar exists twice on a phone:
 * the hidden desktop column and the drawer); false when there is none.
 */
export function focusVisible(selector: string): boolean {
  const element = [...document.querySelectorAll<HTMLElement>(selector)].find(candidate => candidate.offsetParent !== null)
  element?.focus()
  return !!element
}
