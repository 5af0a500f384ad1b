// Byte-level shapes of Cloudflare's REST API for Workers AI, copied from live
// captures. Anything the app parses must look exactly like production.
import type { EmulatedModel } from './models.ts'
import type { ReplyToken, Usage } from './types.ts'

export { DEFAULT_MODEL } from './models.ts'
export const API_PREFIX = '/client/v4'
export const DEPRECATED_MODEL = '@cf/meta/llama-2-7b-chat-int8'

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
  licenceNotAgreed: 5016,
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

/** Non-streaming success body of a model that answers in OpenAI's shape: a `chat.completion`. */
export function completionEnvelope(model: EmulatedModel, content: string, reasoning: string, usage: Usage, cut: boolean) {
  const field = model.thinking === 'reasoning' ? 'reasoning' : 'reasoning_content'
  return {
    result: {
      id: `chatcmpl-${padding()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: model.id,
      choices: [{ index: 0, message: { role: 'assistant', content, [field]: reasoning || null, tool_calls: [] }, finish_reason: cut ? 'length' : 'stop' }],
      usage,
    },
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

/** Writes a reply's frames in its model's stream shape (models.ts), keeping the running count. */
export interface FrameWriter {
  /** Frames before the first token (chunks open with the role and the prompt's usage). */
  head: (promptTokens: number) => string
  /** One frame carrying `tokens` (of one kind, for chunks). */
  tokens: (tokens: ReplyToken[]) => string
  /** The frames after the last token: finish reason and usage, not `[DONE]`. */
  tail: (usage: Usage, cut: boolean) => string
}

export function frameWriter(model: EmulatedModel): FrameWriter {
  if (model.stream === 'workers-ai') {
    return { head: () => '', tokens: tokens => tokenFrame(tokens.map(t => t.text).join('')), tail: usage => usageFrame(usage) }
  }
  const ownUsage = model.stream === 'chunks-own-usage'
  const field = model.thinking === 'reasoning' ? 'reasoning' : 'reasoning_content'
  const id = `chatcmpl-${padding()}`
  const created = Math.floor(Date.now() / 1000)
  let prompt = 0
  let completion = 0
  const chunk = (choices: unknown[], usage: Usage) => sseData(JSON.stringify({
    id, object: 'chat.completion.chunk', created, model: model.id, choices, usage,
    ...(ownUsage ? { p: padding() } : {}),
  }))
  return {
    head(promptTokens) {
      prompt = promptTokens
      const delta = ownUsage ? { content: '', reasoning_content: null, role: 'assistant' } : { role: 'assistant', content: '' }
      return chunk([{ index: 0, delta, logprobs: null, finish_reason: null }], usageOf(prompt, 0))
    },
    tokens(tokens) {
      completion += tokens.length
      const text = tokens.map(t => t.text).join('')
      const delta = tokens[0]?.kind === 'reasoning' ? { [field]: text } : { content: text }
      // Running totals, or each chunk's own tokens (prompt tokens were counted in the first).
      const usage = ownUsage ? usageOf(0, tokens.length) : usageOf(prompt, completion)
      return chunk([{ index: 0, delta, logprobs: null, finish_reason: null }], usage)
    },
    tail(usage, cut) {
      const finish = chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: cut ? 'length' : 'stop' }], ownUsage ? usageOf(0, 0) : usage)
      const last = chunk([], ownUsage ? usageOf(0, 0) : usage)
      return finish + last + (ownUsage ? usageFrame(usage) : '')
    },
  }
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
  // Dated: the text users reported for the models Cloudflare retired on 2026-05-30.
  deprecated: (model: string, date?: string) => date
    ? `This model was deprecated on ${date}. Please use an alternative model`
    : `This model has been deprecated and is no longer available: ${model}. Please migrate to a newer model.`,
  contextWindow: (prompt: number, max: number, window: number) =>
    `Input is too long: ${prompt} estimated prompt tokens plus max_tokens ${max} exceeds the model's context window of ${window} tokens`,
  capacity: 'Capacity temporarily exceeded, please try again.',
  licenceNotAgreed: (model: string) => `${model}: Prior to using this model, you must submit the prompt 'agree' to accept the license and acceptable use policy.`,
  internal: 'Internal server error',
} as const
