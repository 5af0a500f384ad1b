import { ERRORS } from '#shared/contract/errors'

/** An HTTP error from the chat endpoint, with what the UI needs to explain it. */
export class ChatRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly statusMessage: string,
    /** Seconds to wait, from the Retry-After header of a 429. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(statusMessage)
    this.name = 'ChatRequestError'
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000))
}

/**
 * `fetch` for the chat transport: non-2xx answers become a ChatRequestError carrying the
 * statusMessage and Retry-After (the AI SDK's own error keeps neither in a usable form).
 */
export const chatFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init)
  if (response.ok) return response
  let statusMessage = response.statusText || ERRORS.internal
  try {
    const body = await response.json() as { statusMessage?: unknown, message?: unknown }
    if (typeof body.statusMessage === 'string') statusMessage = body.statusMessage
    else if (typeof body.message === 'string') statusMessage = body.message
  }
  catch { /* not JSON: keep the status text */ }
  throw new ChatRequestError(response.status, statusMessage, parseRetryAfter(response.headers.get('retry-after')))
}

export interface ChatErrorView {
  title: string
  description: string
  /** Seconds until a retry makes sense (429), else null. */
  retryAfterSeconds: number | null
  /** False when retrying cannot help (retired model, chat gone). */
  retryable: boolean
}

/** Turns any error from a chat request into words for the inline alert. */
export function describeChatError(error: Error): ChatErrorView {
  if (error instanceof ChatRequestError) {
    if (error.statusMessage === ERRORS.serviceRetired)
      return { title: 'This model was retired', description: `${ERRORS.serviceRetired} Choose another model in the model menu.`, retryAfterSeconds: null, retryable: false }
    if (error.statusCode === 429)
      // The alert adds its own countdown, so the server's "try again later" would say it twice.
      return { title: 'Rate limited', description: error.statusMessage.replace(/,? try again later\.?$/i, ''), retryAfterSeconds: error.retryAfterSeconds, retryable: true }
    if (error.statusCode === 401)
      return { title: 'Signed out', description: 'Your session has ended. Sign in again to continue.', retryAfterSeconds: null, retryable: false }
    if (error.statusMessage === ERRORS.chatNotFound)
      return { title: ERRORS.chatNotFound, description: 'This chat no longer exists.', retryAfterSeconds: null, retryable: false }
    return { title: `Request failed (${error.statusCode})`, description: error.statusMessage, retryAfterSeconds: null, retryable: true }
  }
  if (error instanceof TypeError)
    return { title: 'Connection lost', description: 'The network dropped while the answer was streaming.', retryAfterSeconds: null, retryable: true }
  return { title: 'The answer broke off', description: error.message || ERRORS.upstreamFailed, retryAfterSeconds: null, retryable: true }
}

/** The statusMessage of an error from `$fetch` (ofetch's FetchError carries the JSON body). */
export function apiErrorMessage(error: unknown): string {
  const data = (error as { data?: { statusMessage?: unknown } } | null)?.data
  if (typeof data?.statusMessage === 'string') return data.statusMessage
  return error instanceof Error ? error.message : String(error)
}
