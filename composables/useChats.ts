import type { ChatMessage, ChatSummary } from '#shared/contract'

/**
 * The signed-in user's chat list (newest first), shared by the sidebar and the pages.
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
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  }

  async function createChat(title?: string, messages?: ChatMessage[], model?: string): Promise<ChatSummary> {
    const chat = await $fetch<ChatSummary>('/api/chats', { method: 'POST', body: { title, ...(messages ? { messages } : {}), ...(model ? { model } : {}) } })
    upsert(chat)
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

  return { chats, loaded, refresh, createChat, renameChat, chooseModel, deleteChat, touch, mark }
}

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
