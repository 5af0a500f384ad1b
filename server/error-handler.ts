import { ERRORS, OPENAI_BASE_PATH } from '#shared/contract'
import { openAiError } from './utils/openai-errors.ts'

const TEXT_FOR_STATUS: Record<number, string> = {
  400: 'Bad Request', 401: ERRORS.unauthorized, 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  413: ERRORS.bodyTooLarge, 415: ERRORS.unsupportedMediaType, 429: 'Too Many Requests', 503: ERRORS.databaseUnavailable,
}

/**
 * API routes answer every error as `{statusCode, statusMessage}`: no HTML, no stack, no data
 * that could carry a secret. Unexpected errors are logged here and reach the client as a bare 500,
 * or a 503 when the database is unreachable. The OpenAI-compatible routes answer the same errors
 * in OpenAI's shape, `{error: {message, type, param, code}}`, which its SDKs read. Pages fall
 * through to Nuxt's error page.
 */
export default defineNitroErrorHandler((error, event) => {
  if (!event.path.startsWith('/api/')) return

  const cause = error.cause ?? error
  let statusCode = error.statusCode || 500
  let statusMessage = error.statusMessage || TEXT_FOR_STATUS[statusCode] || ERRORS.internal
  if (statusCode >= 500 && error.unhandled) {
    if (isDatabaseUnavailable(cause)) {
      statusCode = 503
      statusMessage = ERRORS.databaseUnavailable
    }
    else {
      statusCode = 500
      statusMessage = ERRORS.internal
      console.error('[api] unhandled error', event.method, event.path.split('?')[0], describeErrorForLog(cause))
    }
  }

  const headers = (error.data as { headers?: Record<string, string> } | undefined)?.headers
  if (statusCode === 503) setResponseHeader(event, 'retry-after', 5)
  if (headers) setResponseHeaders(event, headers)
  setResponseHeader(event, 'content-type', 'application/json')
  setResponseHeader(event, 'cache-control', 'no-store')
  setResponseStatus(event, statusCode, statusMessage)
  const openAi = event.path.startsWith(`${OPENAI_BASE_PATH}/`)
  return send(event, JSON.stringify(openAi ? openAiError(statusCode, statusMessage) : { statusCode, statusMessage }))
})
