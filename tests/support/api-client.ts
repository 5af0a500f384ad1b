// Helpers for the API tests: the shared API client (harness/api-client.ts), a reader for the chat
// endpoint's UI-message stream that keeps each network chunk's arrival time, and assertions.
import { randomUUID } from 'node:crypto'
import { createParser } from 'eventsource-parser'
import { DEFAULT_MODEL_NAME } from '../../shared/contract/index.ts'
import { sleep } from '../../harness/measure.ts'

export { cookieFrom, signUp, uniqueEmail, userFetch, type TestUser } from '../../harness/api-client.ts'
export { directive } from '../../emulator/behaviour.ts'
export { sleep }

export interface UiFrame {
  type: string
  [key: string]: unknown
}

export interface ReadStream {
  frames: UiFrame[]
  text: string
  done: boolean
  /** Arrival time (ms since the read started) of each network chunk that carried a text delta. */
  deltaChunkTimes: number[]
  chunks: number
}

/**
 * An eventsource parser that collects a UI-message stream into `into`: every frame, the text of
 * the deltas, and whether `[DONE]` came. `onFrame` sees each frame after it is collected.
 */
export function uiStreamParser(into: { frames: UiFrame[], text: string, done: boolean }, onFrame?: (frame: UiFrame) => void) {
  return createParser({
    onEvent(event) {
      if (event.data === '[DONE]') {
        into.done = true
        return
      }
      const frame = JSON.parse(event.data) as UiFrame
      into.frames.push(frame)
      if (frame.type === 'text-delta') into.text += frame.delta as string
      onFrame?.(frame)
    },
  })
}

/** Reads a UI-message stream to its end (or until `stopAfterDeltas` deltas, then cancels). */
export async function readUiStream(res: Response, options: { stopAfterDeltas?: number, into?: ReadStream } = {}): Promise<ReadStream> {
  const result: ReadStream = options.into ?? { frames: [], text: '', done: false, deltaChunkTimes: [], chunks: 0 }
  let deltas = 0
  let chunkHadDelta: boolean
  const parser = uiStreamParser(result, (frame) => {
    if (frame.type !== 'text-delta') return
    deltas++
    chunkHadDelta = true
  })
  const started = performance.now()
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    result.chunks++
    chunkHadDelta = false
    parser.feed(decoder.decode(value, { stream: true }))
    if (chunkHadDelta) result.deltaChunkTimes.push(performance.now() - started)
    if (options.stopAfterDeltas !== undefined && deltas >= options.stopAfterDeltas) {
      await reader.cancel()
      break
    }
  }
  return result
}

/** Starts reading a UI-message stream: `live` fills as frames arrive, `done` resolves at the end. */
export function readUiStreamLive(res: Response): { live: ReadStream, done: Promise<ReadStream> } {
  const live: ReadStream = { frames: [], text: '', done: false, deltaChunkTimes: [], chunks: 0 }
  return { live, done: readUiStream(res, { into: live }) }
}

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`)
    await sleep(25)
  }
}

// ---- Helpers for the API test files (appended) ----

/** A unique marker to find this test's request among the emulator's records. */
export function marker(label = 'm'): string {
  return `${label}-${randomUUID()}`
}

/** The chat endpoint's path for a model and a raw query string (kept raw so tests can send malformed ones). */
export function chatPath(query: string, model: string = DEFAULT_MODEL_NAME): string {
  return `/api/ai/cloudflare/${model}/chat${query ? `?${query}` : ''}`
}

/** The error body of a response, checked to be exactly `{statusCode, statusMessage}` JSON. */
export async function errorBody(res: Response): Promise<{ status: number, contentType: string | null, text: string, body: Record<string, unknown> }> {
  const text = await res.text()
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  }
  catch {
    throw new Error(`error body is not JSON (status ${res.status}): ${text.slice(0, 300)}`)
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text, body }
}

/** The `data:` payloads of a raw SSE text, in order ('[DONE]' kept as a string). */
export function ssePayloads(raw: string): (UiFrame | '[DONE]')[] {
  return raw.split('\n\n').map(block => block.split('\n').filter(line => line.startsWith('data: ')).map(line => line.slice(6)).join('\n'))
    .filter(Boolean)
    .map(data => data === '[DONE]' ? '[DONE]' : JSON.parse(data) as UiFrame)
}

/** `count` space-separated distinct words, handy as an exact emulator reply. */
export function words(count: number, prefix = 'w'): string {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(' ')
}

/**
 * Asserts an API error: the status, content-type application/json and a body that is exactly
 * `{statusCode, statusMessage}` (no stack, url or data). `message` may be a RegExp.
 * Returns the body text, e.g. to check that no secret leaks.
 */
export async function expectApiError(res: Response, status: number, message: string | RegExp): Promise<string> {
  const { expect } = await import('vitest')
  const { body, contentType, text } = await errorBody(res)
  expect({ status: res.status, body }, text).toMatchObject({ status, body: { statusCode: status } })
  expect(Object.keys(body).sort()).toEqual(['statusCode', 'statusMessage'])
  if (typeof message === 'string') expect(body.statusMessage).toBe(message)
  else expect(body.statusMessage).toMatch(message)
  expect(contentType).toMatch(/^application\/json/)
  return text
}

/**
 * Waits, when less than 20 s of the current minute are left, for the next minute. Per-minute
 * limits count in fixed windows of the database's clock: a test that spends a limit and expects
 * the next request refused must not see the window turn over in between.
 */
export async function earlyInMinute(): Promise<void> {
  const second = new Date().getSeconds()
  if (second > 40) await sleep((61 - second) * 1000)
}
