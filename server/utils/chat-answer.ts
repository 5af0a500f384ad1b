import type { H3Event } from 'h3'
import { ERRORS, messageUiId, type ChatMessage, type LiveModel, type PublicUser } from '#shared/contract'
import { NOTHING_YET } from '../answer/checkpoints.ts'
import type { AnswerEncoding, AnswerReader, StartEvent } from '../answer/events.ts'
import { CLIENT_GONE, openGeneration, STOPPED, type Generation } from '../answer/generation.ts'
import { liveAnswer, type LiveAnswer } from '../answer/live-answer.ts'
import { answerResponse, type AnswerResponse } from '../answer/response.ts'
import { uiMessageStream } from '../answer/ui-message-stream.ts'
import { outputBudget, startWorkersAiAnswer, workersAiInputs, type ModelMessage, type WorkersAiInputs, type WorkersAiSettings } from '../workers-ai/index.ts'
import type { TurnImages } from './image-input.ts'

/** One turn of a chat: the user's new message (the last of `messages`) and the answer to it. */
export interface ChatTurn {
  user: PublicUser
  model: LiveModel
  settings: WorkersAiSettings
  messages: ChatMessage[]
  /** Undefined in the playground: nothing is read or written. */
  chatId: number | undefined
  /**
   * Where the question goes in the saved chat's tree; without it the question continues the
   * chat's active path (programs whose `messages` are not the chat's history).
   */
  place?: TurnPlace
  /** The instructions before the conversation; SYSTEM_PROMPT unless the client brings its own. */
  system?: string
  /** Generation settings the client chose, over the catalogue's; the model's unaccepted ones are dropped. */
  inputs?: WorkersAiInputs
  /** The request's images, checked (readTurnImages): shown to the model, and the question's stored with a saved chat. */
  images?: TurnImages
}

/** A turn whose answer has begun: this request's reader of it, and the response it is for. */
export interface StartedAnswer {
  reader: AnswerReader
  response: AnswerResponse
}

/**
 * Answers a chat turn: stores the user's message and the answer's row (saved chats), asks
 * Workers AI, and streams the answer in `encoding` (the UI message stream unless the client asked
 * for another) to this request, the answer's first reader. A saved chat's answer runs to its end
 * whoever reads it, and is stored then, however it ended; only a stop ends it early. In the
 * playground the client leaving stops it. Errors before the first token are thrown as HTTP
 * errors; after it the encoding says how the stream ends. The README's architecture section
 * walks through the whole path.
 *
 * @example return streamChatAnswer(event, { user, model, settings, messages, chatId })
 */
export async function streamChatAnswer(event: H3Event, turn: ChatTurn, encoding: AnswerEncoding = uiMessageStream()) {
  const started = await startChatAnswer(event, turn)
  return started ? started.response.send(started.reader, encoding) : sendNoContent(event, 204)
}

/**
 * streamChatAnswer up to the first token: this request's reader of the answer, for a caller that
 * writes it its own way (a single JSON body). Undefined when the turn joined the chat's answer in
 * progress (the same question again) and that answer has ended meanwhile.
 */
export async function startChatAnswer(event: H3Event, turn: ChatTurn): Promise<StartedAnswer | undefined> {
  const inputs = workersAiInputs(turn.model, turn.inputs)
  const system = turn.system ?? SYSTEM_PROMPT
  const withImages = turn.messages.map((message, at): ModelMessage => turn.images?.perMessage[at]?.length ? { ...message, images: turn.images.perMessage[at] } : message)
  const messages = fitContextWindow(withImages, inputBudget(turn.model, outputBudget(inputs), system))
  if (!messages) throw apiError(413, ERRORS.contextTooLong)
  const { limits: { answersAtOncePerUser }, firstTokenTimeoutMs, idleTimeoutMs } = serverConfig()
  // Counted with nothing awaited until the answer is registered, so turns arriving at once cannot
  // all pass: on PGlite, which one process owns, this is the cap itself (start_turn counts across
  // instances only on PostgreSQL, where the turn is stored).
  const atCap = () => answersAtOncePerUser > 0 && generationsHere(turn.user.id, turn.chatId) >= answersAtOncePerUser
  if (atCap()) throw tooManyAnswers()

  // Stored before the question, so a turn past the storage quota is refused before anything else is written.
  const storedImages = turn.chatId !== undefined && turn.images?.fresh.length
    ? await useImageStore().put({ userId: turn.user.id, chatId: turn.chatId }, turn.images.fresh)
    : []
  const dropImages = () => useImageStore().delete(storedImages.map(image => image.id)).catch(() => {})
  // Storing the images awaited: counted again.
  if (storedImages.length && atCap()) {
    await dropImages()
    throw tooManyAnswers()
  }
  const response = answerResponse(event)
  const stop = new AbortController()
  if (turn.chatId === undefined) response.onClientGone(() => stop.abort(CLIENT_GONE))
  const earlier = turn.chatId === undefined ? undefined : answerGeneratedHere(turn.user.id, turn.chatId)
  const generation = await registerGeneration(turn.user.id, () => stop.abort(STOPPED), turn.chatId)
  let opened: Generation | undefined
  let live: LiveAnswer | undefined
  // Taken now: on Workers the answer is stored after the request's own context has ended.
  const playgroundDb = turn.chatId === undefined ? useDb() : undefined
  playgroundDb?.catch(() => {})
  // Stored while Workers AI is asked, not before: the first token does not wait for the write,
  // and nothing is answered (no 200, no error from upstream) until the turn is stored.
  const row = turn.chatId === undefined
    ? undefined
    : answerRow({ userId: turn.user.id, chatId: turn.chatId, content: turn.messages.at(-1)!.content, model: turn.model.name, place: turn.place ?? { history: [] } }, generation.id, {
        progress: () => opened?.soFar ?? NOTHING_YET,
        stop: () => stop.abort(STOPPED),
        // Only on Workers does the background naming need the request's lifetime stretched.
        untitled: db => nameChat(turn.settings, db, turn.chatId!, turn.messages.at(-1)!.content, work => ON_WORKERS && event.waitUntil(work)),
      })
  const asked = startWorkersAiAnswer(turn.settings, {
    model: turn.model.configuration.model,
    inputs,
    system,
    messages,
    reasoning: turn.model.capabilities.reasoning,
    vision: turn.model.capabilities.vision,
    // One per conversation: its turns share a prefix that Workers AI can keep cached.
    sessionAffinity: turn.chatId === undefined ? `neptun-playground-${turn.user.id}` : `neptun-chat-${turn.chatId}`,
  })
  const opening = openGeneration({
    start: async (signal) => {
      await ensureModelAgreement(turn.settings, turn.model)
      return asked(signal)
    },
    signal: stop.signal,
    firstTokenTimeoutMs,
    idleTimeoutMs,
    store: async (answer, pending) => {
      const priced = pricedAnswer({ userId: turn.user.id, model: turn.model, system }, messages, answer)
      return row ? row.store(priced, (live?.readers ?? 0) > 0, pending) : playgroundAnswerMetadata(priced, playgroundDb!)
    },
  })
  const answer = startedAndOpened(row, opening).then(async (started) => {
    if (started === JOINED) {
      await dropImages()
      return JOINED
    }
    const [ids, generated] = started
    if (ids && turn.images?.question.length) {
      await attachImages(turn.user.id, ids.userMessageId, questionImageIds(turn.images, storedImages))
        .catch(error => console.error(`[neptun] images not tied to their message: ${describeErrorForLog(error)}`))
    }
    opened = generated
    const start: StartEvent = ids
      ? { type: 'start', metadata: { generationId: generation.id, model: turn.model.name, userMessageId: ids.userMessageId }, messageId: messageUiId(ids.assistantMessageId) }
      : { type: 'start', metadata: { generationId: generation.id, model: turn.model.name } }
    live = liveAnswer(emit => generated.run(start, emit))
    return live
  })
  generation.publish(answer.then(started => started === JOINED ? earlier : started).catch(() => undefined))
  try {
    if (await answer === JOINED) {
      generation.done()
      // The chat is answering this very question already: this request reads that answer.
      const reader = await answerInProgress(turn.user.id, turn.chatId!)
      return reader && { reader, response }
    }
  }
  catch (error) {
    generation.done()
    await dropImages()
    throw error
  }
  void live!.ended.finally(generation.done)
  // On Workers the isolate keeps running the answer after its client has gone, within the
  // bound Cloudflare sets on waitUntil (see the README).
  if (ON_WORKERS) event.waitUntil(live!.ended)
  return { reader: live!.read(), response }
}

/** The turn joined the chat's answer in progress (the same question, asked again). */
const JOINED = 'joined'

/**
 * Waits for the turn to be stored and the generation to open. Not stored means not answered:
 * the generation is cancelled and the storage error is the response. Not opened (an error
 * before the first token) means no answer: its row goes again. A turn that joined the chat's
 * answer in progress needs no generation of its own.
 */
async function startedAndOpened(row: AnswerRowWriter | undefined, opening: Promise<Generation>): Promise<[StartedTurn | undefined, Generation] | typeof JOINED> {
  const [started, opened] = await Promise.allSettled([row?.started, opening])
  if (started.status === 'rejected' || started.value?.joined) {
    if (opened.status === 'fulfilled') opened.value.cancel()
    if (started.status === 'rejected') throw started.reason
    return JOINED
  }
  if (opened.status === 'rejected') {
    await row?.drop().catch(() => {})
    throw opened.reason
  }
  return [started.value, opened.value]
}
