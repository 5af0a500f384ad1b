import type { ChatMessage, ChatSummary } from '#shared/contract'

/**
 * The signed-in user's chat list (pinned first, then newest first), shared by the sidebar and the pages.
 *
 * @example
 * const { chats, createChat } = useChats()
 * const chat = await createChat('Trip to Oslo')
 */
export function useChats() {
  const chats = useState<ChatSummary[]>('chats', () => [])
  const loaded = useState('chats-loaded', () => false)

  async function refresh(): Promise<void> {
    chats.value = await $fetch<ChatSummary[]>('/api/chats')
    loaded.value = true
  }

  function upsert(chat: ChatSummary): void {
    chats.value = [chat, ...chats.value.filter(other => other.id !== chat.id)]
      .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.updatedAt.localeCompare(a.updatedAt))
  }

  /**
   * Creates a chat. A chat created for its first message is given no title, so the server can
   * name it after the first answer; `shownTitle` is what the list shows until the server says.
   */
  async function createChat(title?: string, messages?: ChatMessage[], model?: string, shownTitle?: string): Promise<ChatSummary> {
    const chat = await $fetch<ChatSummary>('/api/chats', { method: 'POST', body: { title, ...(messages ? { messages } : {}), ...(model ? { model } : {}) } })
    upsert(shownTitle ? { ...chat, title: shownTitle } : chat)
    return chat
  }

  async function renameChat(id: number, title: string): Promise<void> {
    upsert(await $fetch<ChatSummary>(`/api/chats/${id}`, { method: 'PATCH', body: { title } }))
  }

  /** Picks the model of the chat's next turn. */
  async function chooseModel(id: number, model: string): Promise<void> {
    const chat = await $fetch<ChatSummary>(`/api/chats/${id}`, { method: 'PATCH', body: { model } })
    const known = chats.value.find(other => other.id === id)
    if (known) known.model = chat.model
  }

  async function pinChat(id: number, pinned: boolean): Promise<void> {
    upsert(await $fetch<ChatSummary>(`/api/chats/${id}`, { method: 'PATCH', body: { pinned } }))
  }

  /**
   * After an answer in chat `id` ended: while its title is still the fallback, the list is read
   * again a few times, so the title the server generates in the background shows without a reload.
   * Only the title is taken from it: what this page knows of answers (answering, unread) is newer.
   */
  async function awaitTitle(id: number): Promise<void> {
    for (const delay of TITLE_REFRESH_MS) {
      if (chats.value.find(chat => chat.id === id)?.titleSource !== 'fallback') return
      await new Promise(resolve => setTimeout(resolve, delay))
      const listed = (await $fetch<ChatSummary[]>('/api/chats').catch(() => []))?.find(chat => chat.id === id)
      if (listed && listed.titleSource !== 'fallback') {
        chats.value = chats.value.map(chat => (chat.id === id ? { ...chat, title: listed.title, titleSource: listed.titleSource } : chat))
      }
    }
  }

  async function deleteChat(id: number): Promise<void> {
    await $fetch(`/api/chats/${id}`, { method: 'DELETE' })
    chats.value = chats.value.filter(chat => chat.id !== id)
  }

  /** Marks a chat as just used, so it moves to the top without a round trip. */
  function touch(id: number): void {
    const chat = chats.value.find(other => other.id === id)
    if (chat) upsert({ ...chat, updatedAt: new Date().toISOString() })
  }

  /**
   * What this page knows of chat `id` before the next refresh does (an answer it started or read
   * to the end, a chat it opened); other tabs of this browser are told to refresh.
   */
  function mark(id: number, flags: Partial<Pick<ChatSummary, 'answering' | 'unread'>>): void {
    chats.value = chats.value.map(chat => (chat.id === id ? { ...chat, ...flags } : chat))
    if (flags.answering !== undefined) otherTabs()?.postMessage('changed')
  }

  return { chats, loaded, refresh, createChat, renameChat, pinChat, chooseModel, deleteChat, touch, mark, awaitTitle }
}

/**
 * When the chat list is read again for a title after an answer: a title takes the small model a
 * second or so, longer when Workers AI is busy; past these, the next refresh shows it.
 */
const TITLE_REFRESH_MS = [700, 1500, 3000, 6000]

let channel: BroadcastChannel | null | undefined

/** This browser's other tabs: they hear when an answer starts or ends here (never this tab itself). */
function otherTabs(): BroadcastChannel | null {
  if (channel === undefined) channel = import.meta.client && 'BroadcastChannel' in window ? new BroadcastChannel('neptun-chats') : null
  return channel
}

/** How often the list is read again while one of its chats is answering. */
const ANSWERING_POLL_MS = 3000

/**
 * Keeps the chat list current while answers run where this page does not read them (another
 * tab or device, a closed tab's answer going on): it is read again every few seconds while a
 * chat is answering, when the window comes back into view, and when another tab of this
 * browser starts or ends an answer. Used once, by the layout.
 */
export function useChatListUpdates(): void {
  const { chats, refresh } = useChats()
  onMounted(() => {
    const update = () => void refresh().catch(() => {})
    const onVisible = () => {
      if (document.visibilityState === 'visible') update()
    }
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && chats.value.some(chat => chat.answering)) update()
    }, ANSWERING_POLL_MS)
    document.addEventListener('visibilitychange', onVisible)
    otherTabs()?.addEventListener('message', update)
    onBeforeUnmount(() => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', onVisible)
      otherTabs()?.removeEventListener('message', update)
    })
  })
}
