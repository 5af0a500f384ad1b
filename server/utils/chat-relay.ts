import type { UIMessageChunk } from 'ai'
import { ERRORS, type MessageStatus } from '#shared/contract'
import type { RelayPart, UpstreamCall } from './workers-ai-stream'

/** The answer as far as it was streamed, however the stream ended. */
export interface RelayOutcome {
  content: string
  status: MessageStatus
  promptTokens?: number
  completionTokens?: number
}

export interface ChatTurn {
  /** Starts the Workers AI request (REST or binding). */
  upstream: UpstreamCall
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal
  firstTokenTimeoutMs: number
  idleTimeoutMs: number
  /** Metadata for the `start` chunk (generation id, stored user message id), read when it is sent. */
  startMetadata?: () => Record<string, unknown>
  /**
   * Called once with the outcome before the last frame is written; what it returns becomes the
   * `finish` metadata, so a client that saw `finish` knows the answer is stored.
   */
  onEnd: (outcome: RelayOutcome) => Promise<Record<string, unknown> | undefined>
}

/** An open relay: the frames to send, after the upstream has produced its first token. */
export interface ChatRelay {
  frames: AsyncGenerator<string, void>
  /** Stops the upstream request (the response could not be written). */
  cancel: () => void
}

type TimeoutReason = 'first-token' | 'idle'

class RelayTimeout extends Error {
  constructor(readonly reason: TimeoutReason) {
    super(`Workers AI ${reason} timeout`)
  }
}

/** One SSE frame in the AI SDK's UI-message-stream format (what useChat reads). */
export function frame(chunk: UIMessageChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`
}

const TEXT_ID = 'text-0'

/** The abort reason of a generation stopped by POST /api/generations/:id/stop. */
export const STOPPED = 'stopped'

/**
 * Opens the upstream stream and waits for its first token, so failures before it become real
 * HTTP errors (thrown as H3 errors) instead of a 200 with a broken stream. Then hands back the
 * frames: the upstream's parts are consumed once and turned into UI-message frames directly,
 * with no chain of TransformStreams in between.
 */
export async function openChatRelay(turn: ChatTurn): Promise<ChatRelay> {
  const upstream = new AbortController()
  let timeout: TimeoutReason | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let armed: TimeoutReason | undefined
  const arm = (reason: TimeoutReason, ms: number) => {
    // Once per token: restarting Node's timer in place is much cheaper than a new one.
    if (armed === reason && typeof timer === 'object' && 'refresh' in timer) {
      timer.refresh()
      return
    }
    clearTimeout(timer)
    armed = reason
    timer = setTimeout(() => {
      timeout = reason
      upstream.abort(new RelayTimeout(reason))
    }, ms)
  }
  const onClientGone = () => upstream.abort(turn.clientSignal.reason)
  if (turn.clientSignal.aborted) upstream.abort(turn.clientSignal.reason)
  else turn.clientSignal.addEventListener('abort', onClientGone, { once: true })
  const release = () => {
    clearTimeout(timer)
    turn.clientSignal.removeEventListener('abort', onClientGone)
  }

  arm('first-token', turn.firstTokenTimeoutMs)
  let parts: AsyncIterator<RelayPart>
  let first: RelayPart | undefined
  try {
    parts = await turn.upstream(upstream.signal)
    // Wait for the part that decides: a token, or the end.
    const next = await parts.next()
    first = next.done ? undefined : next.value
  }
  catch (error) {
    release()
    upstream.abort()
    // The client left (or stopped) before the first token: nothing failed upstream, nobody
    // reads this answer, and it is no Workers AI failure to log.
    if (turn.clientSignal.aborted && !timeout) throw apiError(499, 'Client Closed Request')
    throw upstreamHttpError(error, timeout)
  }

  let content = ''
  let ended = false
  let storeFailed = false
  const finishWith = async (status: MessageStatus, usage?: { inputTokens?: number, outputTokens?: number }) => {
    ended = true
    release()
    try {
      return await turn.onEnd({
        content,
        status,
        promptTokens: usage?.inputTokens,
        completionTokens: usage?.outputTokens,
      })
    }
    catch (error) {
      // The client must not believe an answer is saved when it is not.
      storeFailed = true
      console.error(`[chat] could not store the answer: ${error instanceof Error ? error.name : 'error'}`)
      return undefined
    }
  }

  async function* frames(): AsyncGenerator<string, void> {
    try {
      yield frame({ type: 'start', messageMetadata: turn.startMetadata?.() })
      yield frame({ type: 'start-step' })
      yield frame({ type: 'text-start', id: TEXT_ID })
      arm('idle', turn.idleTimeoutMs)
      let part = first
      while (part) {
        if (part.type === 'text-delta') {
          content += part.delta
          arm('idle', turn.idleTimeoutMs)
          yield frame({ type: 'text-delta', id: TEXT_ID, delta: part.delta })
        }
        else {
          const { truncated } = part
          const metadata = await finishWith(truncated ? 'error' : 'complete', part.usage)
          yield frame({ type: 'text-end', id: TEXT_ID })
          if (storeFailed) {
            yield frame({ type: 'error', errorText: ERRORS.answerNotSaved })
            return
          }
          if (truncated) {
            if (metadata) yield frame({ type: 'message-metadata', messageMetadata: metadata })
            yield frame({ type: 'error', errorText: ERRORS.upstreamBrokenStream })
            return
          }
          yield frame({ type: 'finish-step' })
          yield frame({ type: 'finish', finishReason: 'stop', messageMetadata: metadata })
          yield 'data: [DONE]\n\n'
          return
        }
        const next = await parts.next()
        part = next.done ? undefined : next.value
      }
      // The upstream closed without a finish part: treat it as a broken stream.
      throw new Error('stream ended without finish')
    }
    catch (error) {
      if (ended) return
      upstream.abort()
      if (turn.clientSignal.aborted) {
        const metadata = await finishWith('aborted')
        // Stopped through the stop route: the client is still listening and learns the outcome.
        if (turn.clientSignal.reason === STOPPED) {
          yield frame({ type: 'text-end', id: TEXT_ID })
          if (metadata) yield frame({ type: 'message-metadata', messageMetadata: metadata })
          yield frame({ type: 'abort', reason: 'stopped' })
          yield 'data: [DONE]\n\n'
        }
        return
      }
      const metadata = await finishWith('error')
      const errorText = timeout === 'idle' ? ERRORS.upstreamIdle : ERRORS.upstreamBrokenStream
      logUpstreamFailure('mid-stream', error, timeout)
      yield frame({ type: 'text-end', id: TEXT_ID })
      if (metadata) yield frame({ type: 'message-metadata', messageMetadata: metadata })
      yield frame({ type: 'error', errorText })
    }
    finally {
      // The consumer stopped pulling (client gone, write failed): keep what was streamed.
      if (!ended) {
        upstream.abort()
        await finishWith(turn.clientSignal.aborted ? 'aborted' : 'error').catch(() => {})
      }
    }
  }

  return {
    frames: frames(),
    cancel: () => {
      release()
      upstream.abort()
    },
  }
}

interface ApiCallErrorLike {
  statusCode?: number
  responseBody?: string
  responseHeaders?: Record<string, string>
}

function cloudflareErrorCode(body: string | undefined): number | undefined {
  try {
    const code = (JSON.parse(body ?? '') as { errors?: { code?: unknown }[] }).errors?.[0]?.code
    return typeof code === 'number' ? code : undefined
  }
  catch {
    return undefined
  }
}

/** Says what failed, never with credentials, URLs or message content. */
function logUpstreamFailure(phase: string, error: unknown, timeout?: TimeoutReason) {
  const { statusCode, responseBody } = (error ?? {}) as ApiCallErrorLike
  const code = cloudflareErrorCode(responseBody)
  const name = error instanceof Error ? error.name : typeof error
  console.warn(`[chat] Workers AI failed ${phase}: ${timeout ? `${timeout} timeout` : `${name}${statusCode ? ` status ${statusCode}` : ''}${code ? ` code ${code}` : ''}`}`)
}

/**
 * Maps a failure before the first token to the status a client can act on:
 * 429 + Retry-After, 400 for a retired model, 413 for an overlong conversation,
 * 504 for timeouts, 502 for everything else upstream.
 */
export function upstreamHttpError(error: unknown, timeout?: TimeoutReason) {
  if (timeout) {
    logUpstreamFailure('before the first token', error, timeout)
    return apiError(504, ERRORS.upstreamTimeout)
  }
  logUpstreamFailure('before the first token', error)
  const { statusCode, responseBody, responseHeaders } = (error ?? {}) as ApiCallErrorLike
  const code = cloudflareErrorCode(responseBody)
  if (statusCode === 429) {
    const retryAfter = Number(responseHeaders?.['retry-after'])
    return apiError(429, ERRORS.upstreamRateLimited, { 'retry-after': String(retryAfter > 0 ? Math.ceil(retryAfter) : 10) })
  }
  if (statusCode === 410 || code === 5028 || code === 5007) return apiError(400, ERRORS.serviceRetired)
  if (statusCode === 413 || code === 5021) return apiError(413, ERRORS.contextTooLong)
  if (statusCode === 408 || code === 3007) return apiError(504, ERRORS.upstreamTimeout)
  if (statusCode === 401 || statusCode === 403 || code === 10000 || code === 9106 || code === 7003) return apiError(502, ERRORS.upstreamRejected)
  return apiError(502, ERRORS.upstreamFailed)
}
