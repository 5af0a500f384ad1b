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

/** Turns any error from a chat request into words, in the user's language, for the inline alert. */
export function describeChatError(error: Error, t: Translate): ChatErrorView {
  const view = (title: string, description: string, retryable = true, retryAfterSeconds: number | null = null) =>
    ({ title, description, retryable, retryAfterSeconds })
  if (error instanceof ChatRequestError) {
    if (error.statusMessage === ERRORS.serviceRetired) return view(t('chatError.retiredTitle'), t('chatError.retiredDescription'), false)
    // Hours away (midnight UTC): the reset time says it, not a countdown on the Retry button.
    if (error.statusMessage === ERRORS.dailyNeuronLimit) return view(t('chatError.dailyLimitTitle'), t('errors.dailyNeuronLimit'), false)
    if (error.statusMessage === ERRORS.tooManyAnswers) return view(t('chatError.tooManyAnswersTitle'), t('errors.tooManyAnswers'), true, error.retryAfterSeconds)
    // The alert counts down the wait itself, so these say nothing about "later".
    if (error.statusCode === 429) {
      const description = error.statusMessage === ERRORS.upstreamRateLimited ? t('chatError.modelBusy') : t('chatError.tooManyRequests')
      return view(t('chatError.rateLimitedTitle'), description, true, error.retryAfterSeconds)
    }
    if (error.statusCode === 401) return view(t('chatError.signedOutTitle'), t('chatError.signedOutDescription'), false)
    if (error.statusMessage === ERRORS.chatNotFound) return view(t('errors.chatNotFound'), t('chatError.chatGone'), false)
    return view(t('chatError.requestFailedTitle', { status: error.statusCode }), errorText(t, error.statusMessage, error.statusCode))
  }
  if (error instanceof TypeError) return view(t('chatError.connectionLostTitle'), t('chatError.connectionLostDescription'))
  // A stream that ended in an error part: its text is one of the API's.
  return view(t('chatError.brokeOffTitle'), errorKey(error.message) ? errorText(t, error.message) : t('errors.upstreamFailed'))
}
