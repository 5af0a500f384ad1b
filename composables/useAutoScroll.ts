/**
 * Keeps a scroll container pinned to the bottom while content grows, until the user scrolls up;
 * `atBottom` false is the cue for a "Jump to latest" button.
 *
 * @example
 * const { atBottom, scrollToBottom } = useAutoScroll(container, () => messages.value)
 */
export function useAutoScroll(container: Ref<HTMLElement | null | undefined>, source: () => unknown) {
  const atBottom = ref(true)
  /** Distance from the bottom (px) that still counts as "following". */
  const threshold = 48
  let lastTop = 0

  function distanceFromBottom(element: HTMLElement): number {
    return element.scrollHeight - element.scrollTop - element.clientHeight
  }

  function onScroll(): void {
    const element = container.value
    if (!element) return
    const scrolledUp = element.scrollTop < lastTop
    lastTop = element.scrollTop
    if (scrolledUp && distanceFromBottom(element) > 4) atBottom.value = false
    else if (distanceFromBottom(element) <= threshold) atBottom.value = true
  }

  /** `smooth` only animates for users who have not asked their system for reduced motion. */
  function scrollToBottom(behavior: ScrollBehavior = 'auto'): void {
    const element = container.value
    if (!element) return
    atBottom.value = true
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches
    element.scrollTo({ top: element.scrollHeight, behavior: reduceMotion ? 'auto' : behavior })
    lastTop = element.scrollTop
  }

  watch(source, () => {
    if (atBottom.value) nextTick(() => scrollToBottom())
  }, { flush: 'post', deep: false })

  watch(container, (element: HTMLElement | null | undefined, previous: HTMLElement | null | undefined) => {
    previous?.removeEventListener('scroll', onScroll)
    element?.addEventListener('scroll', onScroll, { passive: true })
  }, { immediate: true })

  onBeforeUnmount(() => container.value?.removeEventListener('scroll', onScroll))

  return { atBottom, scrollToBottom }
}
