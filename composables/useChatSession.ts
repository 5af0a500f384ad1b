import { useChat } from '@ai-sdk/vue'
import { DefaultChatTransport } from 'ai'
import type { ChatMessage, ChatWithMessages, MessageStatus } from '#shared/contract'

/** What the list shows for a message: a stored status, or that it is still arriving. */
export type MessageDisplayStatus = MessageStatus | 'streaming'

export interface ChatSessionOptions {
  /** The saved chat's id, or null for the playground (nothing stored). */
  chatId: number | null
  /** The model that answers the next turn (it may change between turns). */
  model: Ref<string>
  initialMessages?: NeptunUIMessage[]
  /** After every finished, stopped or failed answer (e.g. to reorder the sidebar). */
  onAnswerEnd?: () => void
  /**
   * The stored messages older than the ones shown, up to `maxChars` of text: a saved chat shows
   * its newest page, but a turn sends as much history as the model reads.
   */
  earlierHistory?: (maxChars: number) => Promise<ChatMessage[]>
}

/** The chat endpoint for a model and a chat (the playground uses chat_id 0). */
export function chatEndpoint(modelName: string, chatId: number | null): string {
  const model = encodeURIComponent(modelName)
  return chatId === null
    ? `/api/ai/cloudflare/${model}/chat?chat_id=0&is_playground=true`
    : `/api/ai/cloudflare/${model}/chat?chat_id=${chatId}`
}

/**
 * One conversation on `useChat`: sends exactly `{messages:[{role,content}]}` to the chat endpoint
 * of the chosen model, and implements stop, regenerate, edit-and-resend and retry, keeping the
 * stored history in step (truncate first, then resend).
 *
 * @example
 * const session = useChatSession({ chatId: 42, model: ref('qwq-32b'), initialMessages })
 * await session.send('Hello')
 */
export function useChatSession(options: ChatSessionOptions) {
  const { prefer } = useModels()
  const localStatus = reactive(new Map<string, MessageStatus>())
  const errorAt = ref(0)

  const transport = new DefaultChatTransport<NeptunUIMessage>({
    api: chatEndpoint(options.model.value, options.chatId),
    fetch: chatFetch,
    // The model can change between requests, so the URL is decided per request; the model of
    // the last turn is the one new chats start with.
    prepareSendMessagesRequest: async ({ messages }) => {
      prefer(options.model.value)
      const budget = historyBudget(options.model.value)
      const shown = toChatRequestMessages(messages)
      const shownChars = shown.reduce((sum, message) => sum + message.content.length, 0)
      const earlier = shownChars < budget && options.earlierHistory ? await options.earlierHistory(budget - shownChars).catch(() => []) : []
      return {
        api: chatEndpoint(options.model.value, options.chatId),
        body: { messages: requestHistory([...earlier, ...shown], budget) },
      }
    },
  })

  const chat = useChat<NeptunUIMessage>({
    transport,
    messages: options.initialMessages ?? [],
    throttle: 50,
    onError: () => { errorAt.value = Date.now() },
    onFinish: ({ message, messages, isAbort, isError }) => {
      if (messages.some(other => other.id === message.id))
        localStatus.set(message.id, isAbort ? 'aborted' : isError ? 'error' : message.metadata?.status ?? 'complete')
      options.onAnswerEnd?.()
    },
  })

  const busy = computed(() => chat.status.value === 'submitted' || chat.status.value === 'streaming')

  function statusOf(message: NeptunUIMessage, index: number): MessageDisplayStatus {
    if (busy.value && index === chat.messages.value.length - 1 && message.role === 'assistant') return 'streaming'
    return localStatus.get(message.id) ?? message.metadata?.status ?? 'complete'
  }

  /**
   * Removes `messages[index]` and everything after it from the stored chat. The id comes from the
   * load or the stream metadata; when it is unknown (the request failed before the server said),
   * the stored chat is read and the message at the same position is used.
   */
  async function truncateStoredFrom(index: number): Promise<void> {
    if (options.chatId === null) return
    let id = databaseIdAt(chat.messages.value, index)
    if (id === undefined) {
      // Counted from the nearest earlier message whose id is known: the list may start at a later page.
      const anchor = chat.messages.value.findLastIndex((_, at) => at < index && databaseIdAt(chat.messages.value, at) !== undefined)
      const stored = await $fetch<ChatWithMessages>(`/api/chats/${options.chatId}`)
      const from = anchor === -1 ? 0 : stored.messages.findIndex(message => message.id === databaseIdAt(chat.messages.value, anchor)) + 1
      id = from > 0 || anchor === -1 ? stored.messages[from + index - (anchor + 1)]?.id : undefined
    }
    if (id !== undefined) await $fetch(`/api/chats/${options.chatId}/messages`, { method: 'DELETE', query: { from: id } })
  }

  async function send(text: string): Promise<void> {
    if (!text.trim() || busy.value) return
    chat.clearError()
    await chat.sendMessage({ text })
  }

  /**
   * Stops the answer through the server's stop route, so the server ends the stream itself and
   * the client has received exactly what is stored (aborting the fetch drops tokens already on
   * the wire, and on Workers the server may not notice a closed connection). Aborting the
   * request remains the fallback: before the first token, or when the route does not answer.
   */
  async function stop(): Promise<void> {
    if (!busy.value) return
    const last = chat.messages.value.at(-1)
    const generationId = last?.role === 'assistant' ? last.metadata?.generationId : undefined
    if (generationId) {
      const stopped = await $fetch(`/api/generations/${generationId}/stop`, { method: 'POST' }).then(() => true, () => false)
      if (stopped && await settles(() => !busy.value, STOP_GRACE_MS)) return
    }
    if (busy.value) await chat.stop()
  }

  /** Index of the user message the last answer replies to. */
  function lastUserIndex(): number {
    return chat.messages.value.findLastIndex(message => message.role === 'user')
  }

  /**
   * Asks again for the last answer. The user message goes too and is sent again, so the stored
   * chat holds it exactly once whatever the server kept of the failed or replaced turn.
   */
  async function regenerate(): Promise<void> {
    const index = lastUserIndex()
    if (index === -1 || busy.value) return
    chat.clearError()
    await truncateStoredFrom(index)
    chat.messages.value = chat.messages.value.slice(0, index + 1)
    await chat.regenerate()
  }

  /** Replaces the user message at `index` with `text` and answers from there. */
  async function editAndResend(index: number, text: string): Promise<void> {
    if (!text.trim() || busy.value) return
    chat.clearError()
    await truncateStoredFrom(index)
    chat.messages.value = chat.messages.value.slice(0, index)
    await chat.sendMessage({ text })
  }

  /** Puts older messages (an earlier page of the stored chat) before the ones shown. */
  function prepend(older: NeptunUIMessage[]): void {
    chat.messages.value = [...older, ...chat.messages.value]
  }

  function clear(): void {
    void chat.stop()
    chat.clearError()
    chat.messages.value = []
    localStatus.clear()
  }

  return {
    messages: chat.messages,
    status: chat.status,
    error: chat.error,
    errorAt,
    busy,
    statusOf,
    send,
    stop,
    regenerate,
    retry: regenerate,
    editAndResend,
    prepend,
    clear,
  }
}

export type ChatSession = ReturnType<typeof useChatSession>

/** How long the server gets to end a stopped stream before the request is aborted. */
const STOP_GRACE_MS = 1500

function settles(done: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now()
    const check = () => {
      if (done()) resolve(true)
      else if (Date.now() - started > timeoutMs) resolve(false)
      else setTimeout(check, 25)
    }
    check()
  })
}
