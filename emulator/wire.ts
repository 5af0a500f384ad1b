// Byte-level shapes of Cloudflare's REST API for Workers AI, copied from live
// captures. Anything the app parses must look exactly like production.
import type { Usage } from './types.ts'

export const API_PREFIX = '/client/v4'
export const DEFAULT_MODEL = '@cf/meta/llama-3.3-70b-instruct-fp8-fast'
export const DEPRECATED_MODEL = '@cf/meta/llama-2-7b-chat-int8'
export const CONTEXT_WINDOW = 24_000
export const DEFAULT_MAX_TOKENS = 256

/** Error codes Cloudflare uses for the situations the app must handle. */
export const CODES = {
  missingAuth: 9106,
  authError: 10000,
  badRoute: 7003,
  noRoute: 7000,
  methodNotAllowed: 7001,
  badInput: 5006,
  noSuchModel: 5007,
  contextWindow: 5021,
  deprecated: 5028,
  capacity: 3040,
  internal: 3043,
} as const

export interface ErrorEnvelope {
  result: null
  success: false
  errors: { code: number; message: string }[]
  messages: []
}

export function errorEnvelope(code: number, message: string): ErrorEnvelope {
  return { result: null, success: false, errors: [{ code, message }], messages: [] }
}

/** Non-streaming success body. Key order matches production for snapshot-style tests. */
export function successEnvelope(response: string, usage: Usage) {
  return {
    result: { response, tool_calls: [], usage },
    success: true,
    errors: [],
    messages: [],
  }
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  }
}

// Cloudflare pads every token frame with a random `p` string (against
// length-based side channels); clients must ignore it, so we vary it.
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
export function padding(): string {
  const n = Math.floor(Math.random() * 21)
  let s = ''
  for (let i = 0; i < n; i++) s += LETTERS[Math.floor(Math.random() * LETTERS.length)]
  return s
}

export function sseData(payload: string): string {
  return `data: ${payload}\n\n`
}

export function tokenFrame(text: string): string {
  return sseData(JSON.stringify({ response: text, tool_calls: [], p: padding() }))
}

/** Final frame before [DONE]: empty response plus usage, no finish_reason. */
export function usageFrame(usage: Usage): string {
  return sseData(JSON.stringify({ response: '', usage }))
}

export const DONE_FRAME = sseData('[DONE]')
export const MALFORMED_FRAME = 'data: {not json\n\n'

export const messages = {
  missingAuth: 'Missing authentication token: expected an "Authorization: Bearer <token>" header',
  authError: 'Authentication error',
  badRoute: (path: string) =>
    `Could not route to ${path}, perhaps your object identifier is invalid?`,
  noRoute: 'No route for that URI',
  methodNotAllowed: 'Method not allowed for this route',
  noSuchModel: (model: string) => `No such model ${model} or task`,
  deprecated: (model: string) =>
    `This model has been deprecated and is no longer available: ${model}. Please migrate to a newer model.`,
  contextWindow: (prompt: number, max: number) =>
    `Input is too long: ${prompt} estimated prompt tokens plus max_tokens ${max} exceeds the model's context window of ${CONTEXT_WINDOW} tokens`,
  capacity: 'Capacity temporarily exceeded, please try again.',
  internal: 'Internal server error',
} as const
