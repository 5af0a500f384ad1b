import type { FileUIPart } from 'ai'
import type { ChatMessage, ChatWithMessages, MessageStatus, StoredStatus } from '#shared/contract'

/** What the list shows for a message: a stored status, or that it is still arriving. */
export type MessageDisplayStatus = StoredStatus

export interface ChatSessionOptions {
  /** The saved chat's id, or null for the playground (nothing stored). */
  chatId: number | null
  /** The model that answers the next turn (it may change between turns). */
  model: Ref<string>
  initialMessages?: NeptunUIMessage[]
  /** When this page starts reading an answer: asked here, or resumed. */
  onAnswerStart?: () => void
  /** After every finished, stopped or failed answer (e.g. to reorder the sidebar). */
  onAnswerEnd?: () => void
  /**
   * The stored messages older than the ones shown, up to `maxChars` of text: a saved chat shows
   * its newest page, but a turn sends as much history as the model reads.
   */
  earlierHistory?: (maxChars: number) => Promise<ChatMessage[]>
  /** Whether stored messages older than the shown ones exist; kept true when a reload shows fewer. */
  hasEarlier?: Ref<boolean>
}

/** The chat endpoint for a model and a chat (the playground uses chat_id 0). */
export function chatEndpoint(modelName: string, chatId: number | null): string {
  const model = encodeURIComponent(modelName)
  return chatId === null
    ? `/api/ai/cloudflare/${model}/chat?chat_id=0&is_playground=true`
    : `/api/ai/cloudflare/${model}/chat?chat_id=${chatId}`
}

/**
 * One conversation on `useChat` (created when first needed: useChatOnDemand): sends `{messages:[{role,content}]}` (a user message's images as file parts) to the chat endpoint
 * of the chosen model, and implements stop, regenerate, edit-and-resend and retry: an edit or a
 * regenerated answer is a new version in the stored chat, beside the old one, and
 * `switchVersion` shows another version. In a saved chat the answer outlives the
 * page: `resume` reads an answer in progress from its start (`GET /api/chats/:id/stream`, the
 * reconnect request of useChat's transport), after a reload, in a second tab, or after the
 * network dropped.
 *
 * @example
 * const session = useChatSession({ chatId: 42, model: ref('qwq-32b'), initialMessages })
 * await session.send('Hello')
 */
export function useChatSession(options: ChatSessionOptions) {
  const { prefer } = useModels()
  const localStatus = reactive(new Map<string, MessageStatus>())
  const errorAt = ref(0)
  /** Answers read to their end (or let go of) so far. */
  let finished = 0
  /** The page is going away: what ends now is not an answer ending. */
  let leaving = false

  const chat = useChatOnDemand<NeptunUIMessage>({
    messages: options.initialMessages ?? [],
    throttle: 50,
    onError: () => { errorAt.value = Date.now() },
    init: ({ DefaultChatTransport }) => ({
      transport: new DefaultChatTransport<NeptunUIMessage>({
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
          const parentId = versions.parentIdFor(messages)
          return {
            api: chatEndpoint(options.model.value, options.chatId),
            body: { messages: requestHistory([...earlier, ...shown], budget), ...(parentId === undefined ? {} : { parentId }) },
          }
        },
        // The answer in progress, replayed from its start: 204 when there is none.
        prepareReconnectToStreamRequest: () => ({ api: `/api/chats/${options.chatId}/stream` }),
      }),
      onFinish: ({ message, messages, isAbort, isError, isDisconnect }) => {
        finished++
        if (leaving) return
        if (messages.some(other => other.id === message.id))
          localStatus.set(message.id, isAbort ? 'aborted' : isError ? 'error' : message.metadata?.status ?? 'complete')
        options.onAnswerEnd?.()
        versions.turnEnded()
        // The network dropped, not the answer: it goes on in a saved chat, so read it again.
        if (isDisconnect && options.chatId !== null) resumeWhenOnline()
      },
    }),
  })

  const busy = computed(() => chat.status.value === 'submitted' || chat.status.value === 'streaming')
  const versions = useChatVersions({ chatId: options.chatId, messages: chat.messages, hasEarlier: options.hasEarlier })

  /** Shows another version of `messages[index]` (the stored message `versionId`). */
  async function switchVersion(index: number, versionId: number): Promise<void> {
    if (busy.value) return
    await versions.show(index, versionId)
    localStatus.clear()
  }
  // Asked (submitted), then under way (streaming: the answer's row exists on the server by now).
  watch(chat.status, (status: string) => {
    if (status === 'submitted' || status === 'streaming') options.onAnswerStart?.()
  })

  /**
   * The text (and thinking) an answer had when the page loaded it mid-stream. A resume replays the answer from
   * its start; until the replay has caught up, the page keeps showing what it showed, so the
   * text never blinks or shrinks.
   */
  const resumedFrom = shallowRef<NeptunUIMessage | null>(null)
  /** The replay has not yet caught up with what was shown: its thinking or its text is shorter. */
  const behind = (replay: NeptunUIMessage, shown: NeptunUIMessage): boolean =>
    messageReasoning(replay).length < messageReasoning(shown).length || messageText(replay).length < messageText(shown).length
  const messages = computed((): NeptunUIMessage[] => {
    const base = resumedFrom.value
    if (!base) return chat.messages.value
    return chat.messages.value.map(message => message.id === base.id && behind(message, base) ? base : message)
  })

  function statusOf(message: NeptunUIMessage, index: number): MessageDisplayStatus {
    if (busy.value && index === chat.messages.value.length - 1 && message.role === 'assistant') return 'streaming'
    return localStatus.get(message.id) ?? message.metadata?.status ?? 'complete'
  }

  /**
   * Shows the stored chat, when it has moved on from what is shown (an answer given while this
   * page did not read it). Messages already shown as stored are left as they are.
   */
  async function reload(): Promise<void> {
    if (options.chatId === null) return
    const stored = await $fetch<ChatWithMessages>(`/api/chats/${options.chatId}`)
    const shown = chat.messages.value
    const last = stored.messages.at(-1)
    if (last ? last.id === databaseIdAt(shown, shown.length - 1) && last.status === shown.at(-1)?.metadata?.status : !shown.length) return
    // The stored chat's newest page replaces what it covers; earlier pages already shown stay.
    const first = stored.messages[0]?.id
    const kept = first === undefined ? [] : shown.slice(0, Math.max(0, shown.findIndex((_, at) => (databaseIdAt(shown, at) ?? first) >= first)))
    if (!kept.length && options.hasEarlier) options.hasEarlier.value = stored.hasEarlier
    chat.messages.value = [...kept, ...stored.messages.map(storedToUIMessage)]
  }

  /**
   * Reads the chat's answer in progress, if it has one: from its start, then live. Called when
   * the page opens on an answering chat, and when another tab or device starts one here.
   */
  function resume({ reloadFirst = false }: { reloadFirst?: boolean } = {}): Promise<void> {
    // One at a time: useChat drops a resume that another one overtakes.
    resuming ??= resumeOnce(reloadFirst).finally(() => {
      resuming = undefined
    })
    return resuming
  }

  let resuming: Promise<void> | undefined

  async function resumeOnce(reloadFirst: boolean): Promise<void> {
    if (options.chatId === null || busy.value) return
    if (reloadFirst) await reload()
    const last = chat.messages.value.at(-1)
    resumedFrom.value = last?.metadata?.status === 'streaming' ? last : null
    const before = finished
    try {
      await chat.resumeStream()
    }
    finally {
      resumedFrom.value = null
    }
    if (finished !== before || leaving) return
    // Nothing was in progress any more (204): the answer ended meanwhile; show it as stored.
    if (chat.messages.value.at(-1)?.metadata?.status === 'streaming') await reload()
    options.onAnswerEnd?.()
  }

  function resumeWhenOnline(): void {
    if (typeof window === 'undefined') return
    if (navigator.onLine) setTimeout(() => void resume(), RESUME_DELAY_MS)
    else window.addEventListener('online', () => void resume(), { once: true })
  }

  /** Asks `text`, with images (file parts with data: URLs) when there are any. */
  async function send(text: string, files: FileUIPart[] = []): Promise<void> {
    if ((!text.trim() && !files.length) || busy.value) return
    chat.clearError()
    await chat.sendMessage(files.length ? { text, files } : { text })
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
    const streamed = last?.role === 'assistant' ? last.metadata?.generationId : undefined
    // Before the first token the stream has not named its generation yet; the stored chat has.
    const generationId = streamed ?? await generationInProgress()
    if (generationId) {
      const stopped = await $fetch(`/api/generations/${generationId}/stop`, { method: 'POST' }).then(() => true, () => false)
      if (streamed && stopped && await settles(() => !busy.value, STOP_GRACE_MS)) return
    }
    // In a saved chat this only lets go of the answer (it goes on unless stopped above); in the
    // playground it stops it.
    if (busy.value) await chat.stop()
  }

  /** The generation of the stored chat's answer in progress (its row exists a moment after sending). */
  async function generationInProgress(): Promise<string | undefined> {
    if (options.chatId === null) return undefined
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await $fetch<ChatWithMessages>(`/api/chats/${options.chatId}`).catch(() => undefined)
      const answer = stored?.messages.at(-1)
      if (answer?.status === 'streaming') return answer.generationId
      await new Promise(resolve => setTimeout(resolve, 150))
    }
    return undefined
  }

  /** Index of the user message the last answer replies to. */
  function lastUserIndex(): number {
    return chat.messages.value.findLastIndex(message => message.role === 'user')
  }

  /**
   * Asks again for the last answer. The user message goes too and is sent again, so the stored
   * chat holds it exactly once whatever the server kept of the failed or replaced turn; an
   * answer it had stays, as another version.
   */
  async function regenerate(): Promise<void> {
    const index = lastUserIndex()
    if (index === -1 || busy.value) return
    chat.clearError()
    versions.expectNewVersion()
    chat.messages.value = chat.messages.value.slice(0, index + 1)
    await chat.regenerate()
  }

  /** Asks `text` in place of the user message at `index` (kept as another version), and answers from there. */
  async function editAndResend(index: number, text: string): Promise<void> {
    if (!text.trim() || busy.value) return
    chat.clearError()
    versions.expectNewVersion()
    // The new version keeps the images of the one it replaces.
    const files = messageFiles(chat.messages.value[index]!)
    chat.messages.value = chat.messages.value.slice(0, index)
    await chat.sendMessage(files.length ? { text, files } : { text })
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

  /** Lets go of the answer being read (leaving the page): a saved chat's answer goes on. */
  function leave(): void {
    leaving = true
    if (options.chatId !== null && busy.value) void chat.stop()
  }

  return {
    messages,
    /** The model the next turn goes to. */
    model: options.model,
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
    switchVersion,
    prepend,
    clear,
    resume,
    reload,
    leave,
  }
}

export type ChatSession = ReturnType<typeof useChatSession>

/** How long the server gets to end a stopped stream before the request is aborted. */
const STOP_GRACE_MS = 1500

/** After the network dropped mid-answer, how long to wait before reading the answer again. */
const RESUME_DELAY_MS = 1000

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
