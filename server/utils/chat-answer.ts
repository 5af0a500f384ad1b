import type { H3Event } from 'h3'
import { ERRORS, type ChatMessage, type ChatStreamMetadata, type ModelConfiguration, type PublicUser } from '#shared/contract'
import { CLIENT_GONE, openGeneration, STOPPED, type EndedAnswer, type Generation } from '../answer/generation.ts'
import { answerResponse } from '../answer/response.ts'
import { uiMessageStream } from '../answer/ui-message-stream.ts'
import { startWorkersAiAnswer, workersAiInputs, type WorkersAiSettings } from '../workers-ai/index.ts'

/** One turn of a chat: the user's new message (the last of `messages`) and the answer to it. */
export interface ChatTurn {
  user: PublicUser
  model: ModelConfiguration
  settings: WorkersAiSettings
  messages: ChatMessage[]
  /** Undefined in the playground: nothing is read or written. */
  chatId: number | undefined
}

/**
 * Answers a chat turn: stores the user's message (saved chats), asks Workers AI, streams the
 * answer as a UI message stream and stores it when it ends, however it ends. Errors before the
 * first token are thrown as HTTP errors; after it they end the stream with an error frame.
 * The README's architecture section walks through the whole path.
 *
 * @example return streamChatAnswer(event, { user, model, settings, messages, chatId })
 */
export async function streamChatAnswer(event: H3Event, turn: ChatTurn) {
  const { model, parameters } = turn.model.configuration
  const inputs = workersAiInputs(parameters)
  const messages = fitContextWindow(turn.messages, inputBudget(parameters, inputs.max_tokens))
  if (!messages) throw apiError(413, ERRORS.contextTooLong)

  // Stored while Workers AI is asked, not before: the first token does not wait for the write,
  // and nothing is answered (no 200, no error from upstream) until the message is stored.
  const storing = turn.chatId === undefined ? Promise.resolve(undefined) : storeUserMessage(turn.user.id, turn.chatId, turn.messages.at(-1)!.content)
  storing.catch(() => {})

  const response = answerResponse(event)
  const stop = new AbortController()
  response.onClientGone(() => stop.abort(CLIENT_GONE))
  const running = await registerGeneration(turn.user.id, () => stop.abort(STOPPED))
  // Taken now: on Workers the answer is stored after the request's own context has ended.
  const db = turn.chatId === undefined ? undefined : await useDb()
  let ids: TurnIds | undefined
  try {
    const { firstTokenTimeoutMs, idleTimeoutMs } = serverConfig()
    const opening = openGeneration({
      start: startWorkersAiAnswer(turn.settings, { model, inputs, system: SYSTEM_PROMPT, messages }),
      signal: stop.signal,
      firstTokenTimeoutMs,
      idleTimeoutMs,
      store: async (answer) => {
        running.done()
        return ids && storedAnswerMetadata(turn, ids, answer, db)
      },
    })
    const [stored, generation] = await storedAndOpened(storing, opening)
    ids = stored
    const metadata: ChatStreamMetadata = { generationId: running.id, ...(ids ? { userMessageId: ids.userMessageId } : {}) }
    return response.send(generation.events(metadata), uiMessageStream)
  }
  catch (error) {
    running.done()
    throw error
  }
}

/**
 * Waits for the user's message to be stored and the generation to open. Not stored means not
 * answered: the generation is cancelled and the storage error is the response.
 */
async function storedAndOpened(storing: Promise<TurnIds | undefined>, opening: Promise<Generation>): Promise<[TurnIds | undefined, Generation]> {
  const [stored, opened] = await Promise.allSettled([storing, opening])
  if (stored.status === 'rejected') {
    if (opened.status === 'fulfilled') opened.value.cancel()
    throw stored.reason
  }
  if (opened.status === 'rejected') throw opened.reason
  return [stored.value, opened.value]
}

/** Stores the answer; its id, status and usage go back to the client in the stream's metadata. */
async function storedAnswerMetadata(turn: ChatTurn, ids: TurnIds, answer: EndedAnswer, db: Database | undefined): Promise<ChatStreamMetadata> {
  const assistantMessageId = await storeAnswer(turn.chatId!, ids.assistantMessageId, { ...answer, model: turn.model.name }, db)
  return { assistantMessageId, status: answer.status, usage: answer.usage }
}
