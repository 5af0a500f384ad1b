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

  return { chats, loaded, refresh, createChat, renameChat, chooseModel, deleteChat, touch }
}
