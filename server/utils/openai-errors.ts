import { ERRORS } from '#shared/contract'

/** OpenAI's error body, which its SDKs raise as their APIError (with `status`, `type`, `code`). */
export interface OpenAiErrorBody {
  error: { message: string, type: string, param: null, code: string | null }
}

const TYPE_OF_STATUS: Record<number, string> = {
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  429: 'rate_limit_error',
}

const CODE_OF_MESSAGE: Record<string, string> = {
  [ERRORS.unauthorized]: 'invalid_api_key',
  [ERRORS.apiKeyRequired]: 'missing_api_key',
  [ERRORS.invalidModel]: 'model_not_found',
  [ERRORS.serviceRetired]: 'model_not_found',
  [ERRORS.contextTooLong]: 'context_length_exceeded',
  [ERRORS.chatRateLimited]: 'rate_limit_exceeded',
  [ERRORS.apiRateLimited]: 'rate_limit_exceeded',
  [ERRORS.dailyNeuronLimit]: 'rate_limit_exceeded',
  [ERRORS.upstreamRateLimited]: 'rate_limit_exceeded',
}

/**
 * An API error in OpenAI's shape, for the OpenAI-compatible routes: the same message the API
 * sends elsewhere, with OpenAI's error type for the status and its code where one fits.
 *
 * @example openAiError(404, ERRORS.invalidModel) // { error: { message: 'Invalid model name', type: 'invalid_request_error', param: null, code: 'model_not_found' } }
 */
export function openAiError(statusCode: number, message: string): OpenAiErrorBody {
  const type = TYPE_OF_STATUS[statusCode] ?? (statusCode >= 500 ? 'server_error' : 'invalid_request_error')
  return { error: { message, type, param: null, code: CODE_OF_MESSAGE[message] ?? null } }
}
