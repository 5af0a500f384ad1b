import type { H3Event } from 'h3'
import { answerCost, ERRORS, type ChatMessage, type ChatStreamMetadata, type LiveModel, type PublicUser } from '#shared/contract'
import { CLIENT_GONE, openGeneration, STOPPED, type EndedAnswer, type Generation } from '../answer/generation.ts'
import type { AnswerEncoding, AnswerEvent } from '../answer/events.ts'
import { answerResponse, type AnswerResponse } from '../answer/response.ts'
import { uiMessageStream } from '../answer/ui-message-stream.ts'
import { outputBudget, startWorkersAiAnswer, workersAiInputs, type WorkersAiInputs, type WorkersAiSettings } from '../workers-ai/index.ts'
import type { AnswerToStore } from './chat-store.ts'

/** One turn of a chat: the user's new message (the last of `messages`) and the answer to it. */
export interface ChatTurn {
  user: PublicUser
  model: LiveModel
  settings: WorkersAiSettings
  messages: ChatMessage[]
  /** Undefined in the playground: nothing is read or written. */
  chatId: number | undefined
  /** The instructions before the conversation; SYSTEM_PROMPT unless the client brings its own. */
  system?: string
  /** Generation settings the client chose, over the catalogue's; the model's unaccepted ones are dropped. */
  inputs?: WorkersAiInputs
}

/** A turn whose answer has begun: its events, and the response they are for. */
export interface StartedAnswer {
  events: AsyncGenerator<AnswerEvent, void>
  response: AnswerResponse
}

/**
 * Answers a chat turn: stores the user's message (saved chats), asks Workers AI, streams the
 * answer in `encoding` (the UI message stream unless the client asked for another) and stores
 * it when it ends, however it ends. Errors before the first token are thrown as HTTP errors;
 * after it the encoding says how the stream ends. The README's architecture section walks
 * through the whole path.
 *
 * @example return streamChatAnswer(event, { user, model, settings, messages, chatId })
 */
export async function streamChatAnswer(event: H3Event, turn: ChatTurn, encoding: AnswerEncoding = uiMessageStream()) {
  const { events, response } = await startChatAnswer(event, turn)
  return response.send(events, encoding)
}

/**
 * streamChatAnswer up to the first token: the answer's events, for a caller that writes them
 * its own way (a single JSON body). Reading them runs the generation.
 */
export async function startChatAnswer(event: H3Event, turn: ChatTurn): Promise<StartedAnswer> {
  const inputs = workersAiInputs(turn.model, turn.inputs)
  const system = turn.system ?? SYSTEM_PROMPT
  const messages = fitContextWindow(turn.messages, inputBudget(turn.model, outputBudget(inputs), system))
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
  const db = await useDb()
  let ids: TurnIds | undefined
  try {
    const { firstTokenTimeoutMs, idleTimeoutMs } = serverConfig()
    const opening = openGeneration({
      start: startWorkersAiAnswer(turn.settings, {
        model: turn.model.configuration.model,
        inputs,
        system,
        messages,
        reasoning: turn.model.capabilities.reasoning,
        // One per conversation: its turns share a prefix that Workers AI can keep cached.
        sessionAffinity: turn.chatId === undefined ? `neptun-playground-${turn.user.id}` : `neptun-chat-${turn.chatId}`,
      }),
      signal: stop.signal,
      firstTokenTimeoutMs,
      idleTimeoutMs,
      store: async (answer) => {
        running.done()
        return storedAnswerMetadata(turn, ids, pricedAnswer(turn, messages, answer), db)
      },
    })
    const [stored, generation] = await storedAndOpened(storing, opening)
    ids = stored
    const metadata: ChatStreamMetadata = { generationId: running.id, model: turn.model.name, ...(ids ? { userMessageId: ids.userMessageId } : {}) }
    return { events: generation.events(metadata), response }
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

/**
 * The answer with what it cost. Workers AI reports no usage for an answer that broke off or was
 * stopped, although the tokens were spent: they are estimated from the text (generously, as the
 * context window's estimate is), so the daily cap cannot be dodged by stopping every answer.
 */
function pricedAnswer(turn: ChatTurn, sent: ChatMessage[], answer: EndedAnswer): AnswerToStore {
  const written = answer.content + (answer.reasoning ?? '')
  const tokens = {
    promptTokens: answer.usage?.promptTokens ?? sent.reduce((sum, message) => sum + estimateTokens(message.content), estimateTokens(turn.system ?? SYSTEM_PROMPT)),
    completionTokens: answer.usage?.completionTokens ?? (written ? estimateTokens(written) : 0),
  }
  const { neurons, usd } = answerCost(turn.model.pricing, tokens)
  return {
    ...answer,
    model: turn.model.name,
    neurons,
    costUsd: usd,
    spent: { userId: turn.user.id, model: turn.model.name, promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens, neurons },
  }
}

/**
 * Stores the answer (a saved chat's message, or a playground answer's cost alone); its id,
 * status, usage, cost and thinking time go back to the client in the stream's metadata.
 */
async function storedAnswerMetadata(turn: ChatTurn, ids: TurnIds | undefined, answer: AnswerToStore, db: Database): Promise<ChatStreamMetadata> {
  const metadata: ChatStreamMetadata = {
    status: answer.status,
    usage: { ...answer.usage, neurons: answer.neurons, costUsd: answer.costUsd },
    ...(answer.reasoningMs === undefined ? {} : { reasoningMs: answer.reasoningMs }),
    ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
  }
  if (!ids) {
    // The playground promises to store nothing: a cost that could not be counted does not fail its answer.
    await recordUsage(answer.spent, db).catch((error: unknown) => {
      console.error(`[chat] could not count a playground answer's cost: ${error instanceof Error ? error.name : 'error'}`)
    })
    return metadata
  }
  const assistantMessageId = await storeAnswer(turn.chatId!, ids.assistantMessageId, answer, db)
  return { assistantMessageId, ...metadata }
}
