// Request validation mirroring the checks Workers AI performs on
// text-generation models, returning Cloudflare's status/code pairs.
import type { EmulatedModel } from './models.ts'
import type { ChatMessage, RunInput, SeenImage } from './types.ts'
import { sniffImage } from '../shared/contract/image-sniff.ts'
import { CODES, messages as text } from './wire.ts'
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

export function checkModel(
  model: string,
  known: ReadonlySet<string>,
  deprecated: ReadonlySet<string>,
  retiredOn?: string,
): Failure | null {
  // Deprecation is checked first: a retired model is "known" but gone.
  if (deprecated.has(model)) return { status: 410, code: CODES.deprecated, message: text.deprecated(model, retiredOn) }
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

export function checkBody(parsed: { json: boolean; value: unknown }, model: EmulatedModel): Checked {
  if (!parsed.json) return bad('request body is not valid JSON')
  const body = parsed.value
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('request body must be a JSON object')
  const b = body as Record<string, unknown>
  if (!Array.isArray(b.messages)) return bad("required property 'messages' is missing or not an array")
  if (b.messages.length === 0) return bad("'messages' must contain at least one message")
  const msgs: ChatMessage[] = []
  const images: SeenImage[] = []
  for (const [i, m] of b.messages.entries()) {
    if (typeof m !== 'object' || m === null) return bad(`messages[${i}] must be an object`)
    const { role, content } = m as Record<string, unknown>
    if (typeof role !== 'string' || !ROLES.has(role)) return bad(`messages[${i}].role must be one of system, user, assistant`)
    if (Array.isArray(content) && model.vision === 'image_url' && role === 'user') {
      const read = readContentParts(content, i, images)
      if (typeof read !== 'string') return read
      msgs.push({ role, content: read })
      continue
    }
    if (typeof content !== 'string') return bad(`messages[${i}].content must be a string`)
    msgs.push({ role: role as ChatMessage['role'], content })
  }
  if (b.image !== undefined) {
    if (model.vision !== 'image') return bad("'image' is not an input of this model")
    const seen = readImageField(b.image)
    if (!seen) return bad("'image' must be an array of integers from 0 to 255 holding a PNG, JPEG, WebP or GIF")
    images.push(seen)
  }
  if (b.stream !== undefined && typeof b.stream !== 'boolean') return bad("'stream' must be a boolean")
  // OpenAI-shaped schemas name the budget max_completion_tokens and still take max_tokens.
  const budgetNames = model.budgetInput === 'max_completion_tokens' ? ['max_completion_tokens', 'max_tokens'] : ['max_tokens']
  let maxTokens: number | undefined
  for (const name of budgetNames) {
    const v = b[name]
    if (v === undefined || v === null) continue
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return bad(`'${name}' must be a positive integer`)
    maxTokens ??= v
  }
  for (const [key, [min, max, integer]] of Object.entries(model.ranges)) {
    const v = b[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
      return bad(`'${key}' must be ${integer ? 'an integer' : 'a number'}`)
    if (v < min || v > max) return bad(`'${key}' must be between ${min} and ${max}, got ${v}`)
  }
  const promptTokens = estimatePromptTokens(msgs)
  const budget = maxTokens ?? model.defaultMaxTokens ?? Math.max(0, model.contextWindow - promptTokens)
  if (promptTokens + budget > model.contextWindow)
    return {
      ok: false,
      failure: { status: 413, code: CODES.contextWindow, message: text.contextWindow(promptTokens, budget, model.contextWindow) },
    }
  return { ok: true, input: { messages: msgs, stream: b.stream === true, maxTokens: budget, images }, promptTokens }
}

const DATA_URL = /^data:(image\/[\w.+-]+);base64,/

/** An `image_url` model's content parts: their text, with the images read into `images`; or the failure. */
function readContentParts(parts: unknown[], i: number, images: SeenImage[]): string | { ok: false; failure: Failure } {
  let text = ''
  for (const [j, part] of parts.entries()) {
    const { type, text: partText, image_url: imageUrl } = (part ?? {}) as { type?: unknown; text?: unknown; image_url?: { url?: unknown } }
    if (type === 'text' && typeof partText === 'string') {
      text += partText
      continue
    }
    if (type !== 'image_url' || typeof imageUrl?.url !== 'string') return bad(`messages[${i}].content[${j}] must be a text or image_url part`)
    const head = DATA_URL.exec(imageUrl.url)
    if (!head) return bad(`messages[${i}].content[${j}].image_url.url must be a base64 data: URL (http URLs are not fetched)`)
    const bytes = Buffer.from(imageUrl.url.slice(head[0].length), 'base64')
    const sniffed = sniffImage(bytes)
    if (!sniffed) return bad(`messages[${i}].content[${j}] is not a PNG, JPEG, WebP or GIF image`)
    images.push({ via: 'image_url', mediaType: sniffed.mediaType, width: sniffed.width, height: sniffed.height, bytes: bytes.byteLength })
  }
  return text
}

/** The `image` field: an array of byte values (or a base64 string), holding an image. */
function readImageField(value: unknown): SeenImage | undefined {
  let bytes: Uint8Array
  if (Array.isArray(value)) {
    if (!value.every(v => Number.isInteger(v) && v >= 0 && v <= 255)) return undefined
    bytes = Uint8Array.from(value as number[])
  }
  else if (typeof value === 'string') bytes = Buffer.from(value, 'base64')
  else return undefined
  const sniffed = sniffImage(bytes)
  return sniffed && { via: 'image', mediaType: sniffed.mediaType, width: sniffed.width, height: sniffed.height, bytes: bytes.byteLength }
}
