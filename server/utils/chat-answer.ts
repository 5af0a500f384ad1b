import { once } from 'node:events'
import type { H3Event } from 'h3'
import { UI_MESSAGE_STREAM_HEADERS } from 'ai'
import { ERRORS, LIMITS, type ChatMessage, type ModelConfiguration, type PublicUser } from '#shared/contract'
import type { RelayOutcome } from './chat-relay'
import type { StoredTurn } from './chat-store'
import type { WorkersAiSettings } from './workers-ai'

export interface ChatAnswerRequest {
  user: PublicUser
  model: ModelConfiguration
  settings: WorkersAiSettings
  messages: ChatMessage[]
  /** Undefined in the playground: nothing is read or written. */
  chatId: number | undefined
}

/** The catalogue's parameters as Workers AI inputs; -1 leaves a value to the provider. */
function generationParameters(model: ModelConfiguration) {
  const { max_new_tokens, temperature, repetition_penalty, truncate } = model.configuration.parameters
  const maxTokens = max_new_tokens > 0 ? max_new_tokens : 2048
  return {
    maxTokens,
    temperature: temperature !== undefined && temperature >= 0 ? temperature : undefined,
    extraInputs: repetition_penalty >= 0 ? { repetition_penalty } : undefined,
    inputBudget: Math.min(truncate > 0 ? truncate : Infinity, LIMITS.contextWindowTokens - maxTokens) - estimateTokens(SYSTEM_PROMPT),
  }
}

/**
 * Stores the user's message (saved chats), streams the model's answer as a UI-message stream
 * and stores the answer when the stream ends, however it ends. Errors before the first token
 * are thrown as HTTP errors; after it they end the stream with an error frame.
 */
export async function streamChatAnswer(event: H3Event, request: ChatAnswerRequest) {
  const { model, chatId } = request
  const params = generationParameters(model)
  const messages = fitContextWindow(request.messages, params.inputBudget)
  if (!messages) throw apiError(413, ERRORS.contextTooLong)

  // Stored while Workers AI is asked, not before: the first token does not wait for the write,
  // and nothing is answered (no 200, no error from upstream) until the message is stored.
  const storing = chatId === undefined
    ? Promise.resolve(undefined)
    : persistUserMessage(request.user.id, chatId, request.messages.at(-1)!.content)
  storing.catch(() => {})

  const clientGone = new AbortController()
  const res = event.node?.res
  res?.once('close', () => {
    if (!res.writableFinished) clientGone.abort()
  })
  const stopNow = () => clientGone.abort(STOPPED)
  const registered = registerGeneration(request.user.id, stopNow)
  const unwatch = ON_WORKERS ? watchForStop(await useDb(), registered.id, request.user.id, stopNow) : () => {}
  const generation = {
    id: registered.id,
    done: () => {
      registered.done()
      unwatch()
    },
  }
  try {
    return await relayAnswer(event, request, { params, messages, storing, clientGone, generation })
  }
  catch (error) {
    generation.done()
    throw error
  }
}

async function relayAnswer(event: H3Event, { model, settings, chatId }: ChatAnswerRequest, turn: {
  params: ReturnType<typeof generationParameters>
  messages: ChatMessage[]
  storing: Promise<StoredTurn | undefined>
  clientGone: AbortController
  generation: { id: string, done: () => void }
}) {
  const { params, messages, clientGone } = turn
  const res = event.node?.res
  const db = chatId === undefined ? undefined : await useDb()
  let stored: StoredTurn | undefined = undefined

  const opening = openChatRelay({
    upstream: workersAiStream(settings, model.configuration.model, {
      system: SYSTEM_PROMPT,
      messages,
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      extraInputs: params.extraInputs,
    }),
    clientSignal: clientGone.signal,
    firstTokenTimeoutMs: serverConfig().firstTokenTimeoutMs,
    idleTimeoutMs: serverConfig().idleTimeoutMs,
    startMetadata: () => ({ generationId: turn.generation.id, ...(stored === undefined ? {} : { userMessageId: stored.userMessageId }) }),
    onEnd: async (outcome) => {
      turn.generation.done()
      return chatId === undefined || !stored ? undefined : storeAnswer(chatId, stored.assistantMessageId, model, outcome, db)
    },
  })
  const [storedResult, opened] = await Promise.allSettled([turn.storing, opening])
  if (storedResult.status === 'rejected') {
    // Not stored, so not answered: the upstream request goes, the storage error is the answer.
    if (opened.status === 'fulfilled') opened.value.cancel()
    throw storedResult.reason
  }
  stored = storedResult.value
  if (opened.status === 'rejected') throw opened.reason
  const relay = opened.value

  if (res && !('__unenv__' in res)) {
    // Node: write frames straight to the socket. Frames that are ready together (tokens that
    // arrived in one network read) are joined and sent in one write on the next tick: one
    // chunk header and one syscall instead of four per token. A slow client gets backpressure.
    res.writeHead(200, { ...UI_MESSAGE_STREAM_HEADERS })
    res.flushHeaders()
    let pending = ''
    let scheduled = false
    const flush = () => {
      scheduled = false
      if (!pending || res.destroyed) return
      res.write(pending)
      pending = ''
    }
    try {
      for await (const chunk of relay.frames) {
        if (res.destroyed) break
        pending += chunk
        if (!scheduled) {
          scheduled = true
          process.nextTick(flush)
        }
        if (res.writableNeedDrain) await Promise.race([once(res, 'drain'), once(res, 'close')])
      }
    }
    finally {
      await relay.frames.return()
      flush()
      res.end()
    }
    return
  }

  // Other runtimes (Workers): a web stream that pulls one frame at a time.
  const encoder = new TextEncoder()
  setResponseHeaders(event, UI_MESSAGE_STREAM_HEADERS)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await relay.frames.next()
      if (done) controller.close()
      else controller.enqueue(encoder.encode(value))
    },
    async cancel() {
      clientGone.abort()
      await relay.frames.return()
    },
  })
}

/** Stores the answer; the ids go back to the client in the stream's metadata. */
async function storeAnswer(chatId: number, id: number, model: ModelConfiguration, outcome: RelayOutcome, db?: Database) {
  const assistantMessageId = await persistAssistantMessage(chatId, id, { ...outcome, model: model.name }, db)
  return {
    assistantMessageId,
    status: outcome.status,
    usage: { promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens },
  }
}
