// Request validation mirroring the checks Workers AI performs on
// text-generation models, returning Cloudflare's status/code pairs.
import type { ChatMessage, RunInput } from './types.ts'
import { CODES, CONTEXT_WINDOW, DEFAULT_MAX_TOKENS, messages as text } from './wire.ts'
import { estimatePromptTokens } from './tokens.ts'

export interface Failure {
  status: number
  code: number
  message: string
}

export type Checked = { ok: true; input: RunInput; promptTokens: number } | { ok: false; failure: Failure }

const bad = (detail: string): { ok: false; failure: Failure } => ({
  ok: false,
  failure: { status: 400, code: CODES.badInput, message: `Bad input: ${detail}` },
})

const ROLES = new Set(['system', 'user', 'assistant'])

/** Numeric options: [min, max, integer?]. Ranges follow the llama-3.3 schema. */
const RANGES: Record<string, [number, number, boolean]> = {
  temperature: [0, 5, false],
  top_p: [0, 2, false],
  top_k: [1, 50, true],
  seed: [1, 9_999_999_999, true],
  repetition_penalty: [0, 2, false],
  frequency_penalty: [-2, 2, false],
  presence_penalty: [-2, 2, false],
}

export function checkModel(
  model: string,
  known: ReadonlySet<string>,
  deprecated: ReadonlySet<string>,
): Failure | null {
  // Deprecation is checked first: a retired model is "known" but gone.
  if (deprecated.has(model)) return { status: 410, code: CODES.deprecated, message: text.deprecated(model) }
  if (!known.has(model)) return { status: 400, code: CODES.noSuchModel, message: text.noSuchModel(model) }
  return null
}

/** Parse JSON leniently for recording: the parsed value, or the raw string. */
export function parseBody(raw: string): { json: boolean; value: unknown } {
  try {
    return { json: true, value: JSON.parse(raw) }
  } catch {
    return { json: false, value: raw }
  }
}

export function checkBody(parsed: { json: boolean; value: unknown }): Checked {
  if (!parsed.json) return bad('request body is not valid JSON')
  const body = parsed.value
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('request body must be a JSON object')
  const b = body as Record<string, unknown>
  if (!Array.isArray(b.messages)) return bad("required property 'messages' is missing or not an array")
  if (b.messages.length === 0) return bad("'messages' must contain at least one message")
  const msgs: ChatMessage[] = []
  for (const [i, m] of b.messages.entries()) {
    if (typeof m !== 'object' || m === null) return bad(`messages[${i}] must be an object`)
    const { role, content } = m as Record<string, unknown>
    if (typeof role !== 'string' || !ROLES.has(role)) return bad(`messages[${i}].role must be one of system, user, assistant`)
    if (typeof content !== 'string') return bad(`messages[${i}].content must be a string`)
    msgs.push({ role: role as ChatMessage['role'], content })
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean') return bad("'stream' must be a boolean")
  let maxTokens = DEFAULT_MAX_TOKENS
  if (b.max_tokens !== undefined) {
    const v = b.max_tokens
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return bad("'max_tokens' must be a positive integer")
    maxTokens = v
  }
  for (const [key, [min, max, integer]] of Object.entries(RANGES)) {
    const v = b[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
      return bad(`'${key}' must be ${integer ? 'an integer' : 'a number'}`)
    if (v < min || v > max) return bad(`'${key}' must be between ${min} and ${max}, got ${v}`)
  }
  const promptTokens = estimatePromptTokens(msgs)
  if (promptTokens + maxTokens > CONTEXT_WINDOW)
    return {
      ok: false,
      failure: { status: 413, code: CODES.contextWindow, message: text.contextWindow(promptTokens, maxTokens) },
    }
  return { ok: true, input: { messages: msgs, stream: b.stream === true, maxTokens }, promptTokens }
}
