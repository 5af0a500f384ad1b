import type { H3Error } from 'h3'
import { ERRORS } from '#shared/contract'
import { apiError } from '../utils/request.ts'

/**
 * A Workers AI answer that is not a stream: an HTTP error, or a 200 whose body says
 * `{success:false}`. Carries what `workersAiHttpError` needs to map it.
 */
export class WorkersAiHttpError extends Error {
  override name = 'WorkersAiHttpError'
  constructor(readonly statusCode: number, readonly responseBody: string, readonly responseHeaders: Record<string, string>) {
    super(`Workers AI answered ${statusCode}`)
  }
}

/** What a failed Workers AI call can tell: WorkersAiHttpError, or the AI SDK's APICallError (binding). */
interface FailedCall {
  statusCode?: number
  responseBody?: string
  responseHeaders?: Record<string, string>
}

/** The first code in Cloudflare's error envelope `{success:false, errors:[{code, message}]}`. */
export function cloudflareErrorCode(body: string | undefined): number | undefined {
  try {
    const code = (JSON.parse(body ?? '') as { errors?: { code?: unknown }[] }).errors?.[0]?.code
    return typeof code === 'number' ? code : undefined
  }
  catch {
    return undefined
  }
}

/**
 * Maps a Workers AI failure before the first token to the status a client can act on: 429 with
 * Retry-After, 400 for a retired model, 413 for an overlong conversation, 504 for Cloudflare's
 * timeout, 502 for rejected credentials and everything else.
 *
 * @example throw workersAiHttpError(new WorkersAiHttpError(429, body, { 'retry-after': '5' }))
 */
export function workersAiHttpError(error: unknown): H3Error {
  const { statusCode, responseBody, responseHeaders } = (error ?? {}) as FailedCall
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

/**
 * Logs a Workers AI failure: its kind, HTTP status and Cloudflare code, never credentials, URLs
 * or message content. `timeout` names the deadline that ran out, when one did.
 */
export function logWorkersAiFailure(phase: 'before the first token' | 'mid-stream', error: unknown, timeout?: string): void {
  const { statusCode, responseBody } = (error ?? {}) as FailedCall
  const code = cloudflareErrorCode(responseBody)
  const name = error instanceof Error ? error.name : typeof error
  const what = timeout ? `${timeout} timeout` : `${name}${statusCode ? ` status ${statusCode}` : ''}${code ? ` code ${code}` : ''}`
  console.warn(`[chat] Workers AI failed ${phase}: ${what}`)
}
