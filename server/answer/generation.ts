import { ERRORS, type ChatStreamMetadata, type FinishReason, type MessageStatus } from '#shared/contract'
import { describeErrorForLog } from '../utils/error-log.ts'
import { apiError } from '../utils/request.ts'
import { logWorkersAiFailure, workersAiHttpError, type AnswerPart, type StartAnswer, type Usage } from '../workers-ai/index.ts'
import type { AnswerEnd, AnswerEvent, StartEvent } from './events.ts'
import { answerSoFar, type AnswerSoFar } from './so-far.ts'
import { createWatchdog, type Watchdog } from './watchdog.ts'

/** Why a generation's signal was aborted: the stop route (or a newer turn), or the playground's client leaving. */
export const STOPPED = 'stopped'
export const CLIENT_GONE = 'client-gone'

export interface GenerationOptions {
  /** Starts the model's answer (the Workers AI adapter). */
  start: StartAnswer
  /** Aborting it ends the answer as `aborted`; its reason says why (STOPPED, CLIENT_GONE). */
  signal: AbortSignal
  firstTokenTimeoutMs: number
  idleTimeoutMs: number
  /**
   * Stores the answer once it has ended, however it ended; called once. What it returns becomes
   * the `end` event's metadata, so a client that sees the end knows where the answer is stored.
   * It calls `pending` when the database cannot take the answer yet and it keeps retrying.
   */
  store: (answer: EndedAnswer, pending: () => void) => Promise<ChatStreamMetadata | undefined>
}

/** The answer as far as it was generated, however it ended: what is stored. */
export interface EndedAnswer {
  content: string
  /** The model's thinking before its answer, when it thought aloud. */
  reasoning?: string
  reasoningMs?: number
  status: MessageStatus
  usage?: Usage
  finishReason?: FinishReason
}

export interface Generation {
  /**
   * Runs the answer to its end, handing `emit` each event as it happens: `start` (as given),
   * the parts, then `end` once the answer is stored. Nobody reading it does not
   * stop it: only the signal does. Resolves after `end`.
   */
  run: (start: StartEvent, emit: (event: AnswerEvent) => void) => Promise<void>
  /** The text and thinking so far (checkpoints read them while the answer streams). */
  readonly soFar: AnswerSoFar
  /** Ends a generation that will never run. */
  cancel: () => void
}

/**
 * Starts a generation and waits for its first part, so that a failure before the first token is
 * a real HTTP error (429, 502, 504, …) rather than a 200 with a broken stream.
 *
 * @example const generation = await openGeneration({ start, signal, firstTokenTimeoutMs, idleTimeoutMs, store })
 */
export async function openGeneration(options: GenerationOptions): Promise<Generation> {
  const controls = startControls(options)
  try {
    const parts = await options.start(controls.upstream.signal)
    const first = await parts.next()
    const soFar = answerSoFar()
    return {
      run: (start, emit) => runAnswer(controls, parts, first, soFar, start, emit),
      soFar,
      cancel: () => {
        controls.abort()
        void parts.return?.().catch(() => {})
      },
    }
  }
  catch (error) {
    controls.abort()
    // Stopped before its first token (the stop route, a newer question in the chat): not a
    // failure, an answer that ended before it began, stored and streamed as stopped.
    if (options.signal.reason === STOPPED && !controls.watchdog.expired) return stoppedGeneration(controls)
    throw failureBeforeFirstToken(error, controls)
  }
}

/** A generation stopped before its first token: `start`, then an empty answer ended as stopped. */
function stoppedGeneration(controls: Controls): Generation {
  const soFar = answerSoFar()
  const nothing: AsyncIterator<AnswerPart> = { next: async () => ({ done: true, value: undefined }) }
  return {
    run: async (start, emit) => {
      emit(start)
      const answer = ended(soFar, { status: 'aborted' })
      emit(await endGeneration(controls, nothing, answer, undefined, () => emit({ type: 'store-pending', status: answer.status })))
    },
    soFar,
    cancel: () => {},
  }
}

/** What a running generation holds on to: its upstream request and its deadlines. */
interface Controls {
  options: GenerationOptions
  upstream: AbortController
  watchdog: Watchdog
  /** Stops the deadlines and stops following the generation's signal. */
  release: () => void
  /** release(), and closes the upstream request. */
  abort: () => void
}

function startControls(options: GenerationOptions): Controls {
  const upstream = new AbortController()
  const watchdog = createWatchdog(deadline => upstream.abort(new Error(`${deadline} deadline passed`)))
  const follow = () => upstream.abort(options.signal.reason)
  if (options.signal.aborted) follow()
  else options.signal.addEventListener('abort', follow, { once: true })
  watchdog.arm('first-token', options.firstTokenTimeoutMs)
  const release = () => {
    watchdog.clear()
    options.signal.removeEventListener('abort', follow)
  }
  return {
    options,
    upstream,
    watchdog,
    release,
    abort: () => {
      release()
      upstream.abort()
    },
  }
}

function failureBeforeFirstToken(error: unknown, { options, watchdog }: Controls) {
  // The playground's client left before the first token: nothing failed upstream, and there is
  // no Workers AI failure to log.
  if (options.signal.aborted && !watchdog.expired) return apiError(499, 'Client Closed Request')
  logWorkersAiFailure('before the first token', error, watchdog.expired)
  return watchdog.expired ? apiError(504, ERRORS.upstreamTimeout) : workersAiHttpError(error)
}

/** How an answer ended, before it is stored. */
type Ending = Pick<AnswerEnd, 'status' | 'usage' | 'error' | 'finishReason'>

/**
 * The answer's events: `start`, each part as it arrives (each one restarts the idle deadline),
 * then `end` once the answer is stored.
 */
async function runAnswer(
  controls: Controls,
  parts: AsyncIterator<AnswerPart>,
  first: IteratorResult<AnswerPart>,
  soFar: AnswerSoFar,
  start: StartEvent,
  emit: (event: AnswerEvent) => void,
): Promise<void> {
  const { options, watchdog } = controls
  let ending: Ending | undefined
  try {
    emit(start)
    watchdog.arm('idle', options.idleTimeoutMs)
    for (let next = first; !next.done; next = await parts.next()) {
      const part = next.value
      if (part.type === 'finish') {
        ending = part.truncated ? failureMidStream(new Error('Workers AI stream ended without [DONE]'), controls) : { status: 'complete' }
        ending.usage = part.usage
        ending.finishReason = part.finishReason
        break
      }
      soFar.add(part)
      watchdog.arm('idle', options.idleTimeoutMs)
      emit(part)
    }
    if (!ending) throw new Error('Workers AI stream ended without a finish')
  }
  catch (error) {
    ending = failureMidStream(error, controls)
  }
  const answer = ended(soFar, ending)
  emit(await endGeneration(controls, parts, answer, ending.error, () => emit({ type: 'store-pending', status: answer.status })))
}

function ended(soFar: AnswerSoFar, { status, usage, finishReason }: Ending): EndedAnswer {
  const { content, reasoning, reasoningMs } = soFar
  return { content, ...(reasoning ? { reasoning, reasoningMs } : {}), status, usage, finishReason: status === 'complete' ? finishReason : undefined }
}

function failureMidStream(error: unknown, { options, watchdog }: Controls): Ending {
  if (options.signal.aborted) return { status: 'aborted' }
  logWorkersAiFailure('mid-stream', error, watchdog.expired)
  return { status: 'error', error: watchdog.expired === 'idle' ? ERRORS.upstreamIdle : ERRORS.upstreamBrokenStream }
}

/**
 * Ends the generation: stops its deadlines, lets the adapter close its request (a complete REST
 * answer hands its connection back to the pool, any other end closes it), stores the answer and
 * says how it ended. An answer that could not be stored ends with `answerNotSaved`, so the client
 * never believes it is saved; a stopped one ends as stopped.
 */
async function endGeneration(controls: Controls, parts: AsyncIterator<AnswerPart>, answer: EndedAnswer, error: string | undefined, pending: () => void): Promise<AnswerEnd> {
  if (answer.status === 'complete') controls.release()
  else controls.abort()
  await parts.return?.().catch(() => {})
  const end: AnswerEnd = { type: 'end', status: answer.status, usage: answer.usage, finishReason: answer.finishReason, error }
  try {
    end.metadata = await controls.options.store(answer, pending)
  }
  catch (storeError) {
    console.error(`[chat] could not store the answer: ${describeErrorForLog(storeError)}`)
    if (answer.status !== 'aborted') end.error = ERRORS.answerNotSaved
  }
  return end
}
