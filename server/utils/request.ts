import { createError, getRequestHeader, readRawBody, type H3Event } from 'h3'
import type { z } from 'zod'
import { chatRequestSchema, ERRORS, firstIssueMessage, IMAGE_LIMITS, LIMITS, type ChatRequest } from '#shared/contract'
import { nodeSocketOf } from './runtime.ts'

/**
 * Throws the API's JSON error. statusMessage is also the reason phrase, so it stays ASCII.
 *
 * @example throw apiError(404, ERRORS.chatNotFound)
 */
export function apiError(statusCode: number, statusMessage: string, headers?: Record<string, string>) {
  return createError({ statusCode, statusMessage, data: headers ? { headers } : undefined })
}

/** Parses `value` with `schema`; the first issue becomes a 400 naming the field or limit. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return dataOr400(schema.safeParse(value))
}

/** A parse made earlier, judged now: its data, or the 400 parseOr400 throws. */
export function dataOr400<T>(result: z.ZodSafeParseResult<T>): T {
  if (!result.success) throw apiError(400, firstIssueMessage(result.error))
  return result.data
}

/**
 * Reads a JSON body with a byte cap enforced while reading, so a huge or endless body is
 * refused without being buffered. 415 for a non-JSON content type, 413 over the cap,
 * 400 for JSON that does not parse.
 */
export async function readJsonBody(event: H3Event, maxBytes: number = LIMITS.maxBodyBytes, tooLarge: string = ERRORS.bodyTooLarge): Promise<unknown> {
  return parseJsonText(await readBodyText(event, maxBytes, tooLarge))
}

/** readJsonBody, then the schema. */
export async function readValidatedJson<S extends z.ZodType>(event: H3Event, schema: S): Promise<z.output<S>> {
  return parseOr400(schema, await readJsonBody(event))
}

/**
 * The chat endpoint's body, validated. A body that carries images (file parts) may be as large
 * as IMAGE_LIMITS.maxChatBodyBytes; one without keeps the API's LIMITS.maxBodyBytes (413,
 * judged before its messages are).
 */
export async function readChatRequest(event: H3Event): Promise<ChatRequest> {
  const text = await readBodyText(event, IMAGE_LIMITS.maxChatBodyBytes, ERRORS.chatBodyTooLarge)
  const value = parseJsonText(text)
  if (text.length > LIMITS.maxBodyBytes / 4 && Buffer.byteLength(text) > LIMITS.maxBodyBytes && !carriesFileParts(value)) throw apiError(413, ERRORS.bodyTooLarge)
  return parseOr400(chatRequestSchema, value)
}

function carriesFileParts(body: unknown): boolean {
  const messages = (body as { messages?: unknown } | null)?.messages
  return Array.isArray(messages) && messages.some((message: { parts?: unknown } | null) =>
    Array.isArray(message?.parts) && message.parts.some((part: { type?: unknown } | null) => part?.type === 'file'))
}

async function readBodyText(event: H3Event, maxBytes: number, tooLarge: string): Promise<string> {
  const type = getRequestHeader(event, 'content-type') ?? ''
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) throw apiError(415, ERRORS.unsupportedMediaType)
  const declared = Number(getRequestHeader(event, 'content-length'))
  if (declared > maxBytes) throw apiError(413, tooLarge)

  const chunks: Uint8Array[] = []
  let size = 0
  // Off a real socket (Workers, Nitro's in-process fetch) the body is already buffered.
  const req = nodeSocketOf(event)?.req
  const source: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = !req || 'body' in req || 'rawBody' in req
    ? [await readRawBody(event, false) ?? new Uint8Array()]
    : req
  for await (const chunk of source) {
    size += chunk.byteLength
    // The rest of the body is left unread, so this connection cannot carry another request.
    if (size > maxBytes) throw apiError(413, tooLarge, { connection: 'close' })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJsonText(text: string): unknown {
  if (!text) throw apiError(400, ERRORS.bodyNotJson)
  try {
    return JSON.parse(text)
  }
  catch {
    throw apiError(400, ERRORS.bodyNotJson)
  }
}

/** For path ids: a malformed id names no chat, so it is the same 404 as a missing one. */
export function parseOr404<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw apiError(404, ERRORS.chatNotFound)
  return result.data
}
