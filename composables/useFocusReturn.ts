/**
 * Focus return for Nuxt UI's dialogs (UModal, USlideover), which leave focus wherever it falls
 * when they close. Pass the handlers as the dialog's `content` prop: focus goes back to the
 * element that had it when the dialog opened or, when that element is gone (the item of a menu
 * that has closed), to `fallback`.
 *
 * @example
 * const focusReturn = useFocusReturn(() => menuButton.value?.$el)
 * // <UModal v-model:open="open" :content="focusReturn">
 */
export function useFocusReturn(fallback?: () => HTMLElement | null | undefined) {
  let previous: HTMLElement | null = null
  return {
    onOpenAutoFocus: () => {
      previous = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null
    },
    onCloseAutoFocus: (event: Event) => {
      event.preventDefault()
      const target = previous?.isConnected ? previous : fallback?.()
      previous = null
      target?.focus()
    },
  }
}
