import type { ChatSearchHit } from '#shared/contract'

/** How long typing pauses before the messages are searched. */
const SEARCH_DELAY_MS = 250

/**
 * Searches the user's chats (titles and message text) for what is typed into `query`, a moment
 * after typing pauses; an answer to an older query is dropped. `hits` is null while there is no
 * query, or no answer yet for this one.
 *
 * @example
 * const query = ref('')
 * const { hits, searching } = useChatSearch(query)
 */
export function useChatSearch(query: Ref<string>) {
  const hits = ref<ChatSearchHit[] | null>(null)
  const searching = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let latest = 0

  watch(query, (value: string) => {
    clearTimeout(timer)
    const q = value.trim()
    hits.value = null
    searching.value = Boolean(q)
    if (!q) return
    const asked = ++latest
    timer = setTimeout(async () => {
      try {
        const found = await $fetch<ChatSearchHit[]>('/api/chats', { query: { q } })
        if (asked === latest) hits.value = found
      }
      catch {
        // The list filtered by title stays shown.
      }
      finally {
        if (asked === latest) searching.value = false
      }
    }, SEARCH_DELAY_MS)
  })
  onBeforeUnmount(() => clearTimeout(timer))

  return { hits, searching }
}
