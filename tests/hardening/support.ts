// Helpers shared by the hardening tests (faults, outage, chaos, fuzz, security).
// Everything here talks to the app over HTTP, like a client would.
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { DEFAULT_MODEL_NAME, type ChatWithMessages, type StoredMessage } from '../../shared/contract/index.ts'
import { ROOT } from '../../harness/app-server.ts'
import { sleep } from '../../harness/measure.ts'
import { uiStreamParser, type TestUser, type UiFrame } from '../support/api-client.ts'
import type { Emulator, RequestRecord } from '../../emulator/server.ts'

export { median, rssKiB } from '../../harness/measure.ts'
export { sleep }

export const OUTPUT_DIR = join(ROOT, '.output')

/** A value nobody else uses, to look for in logs, bodies and bundles. */
export function distinctive(prefix: string, bytes = 18): string {
  return `${prefix}-${randomBytes(bytes).toString('hex')}`
}

/** What a client saw of one chat turn. */
export interface TurnResult {
  status: number
  /** Concatenated text deltas received. */
  text: string
  deltas: number
  frames: UiFrame[]
  sawFinish: boolean
  /** `data: [DONE]` came. */
  done: boolean
  /** The errorText of an `error` frame, if one came. */
  errorText?: string
  /** The client aborted the request itself (after `abortAfterDeltas`). */
  aborted: boolean
  /** Date.now() at the moment the client aborted. */
  abortedAt?: number
  /** Error body for non-200 answers. */
  body?: string
  headers: Headers
  elapsedMs: number
  /** The stream ended without finish or error (connection cut). */
  cutOff: boolean
}

export interface TurnOptions {
  /** Abort the request after this many text deltas (if the stream gets that far). */
  abortAfterDeltas?: number
  /** Upper bound for the whole turn (default 60 s): a hang is a failure, not a stuck test. */
  timeoutMs?: number
  model?: string
  playground?: boolean
  /** The whole conversation; default: one user message with `content`. */
  messages?: { role: 'user' | 'assistant', content: string }[]
}

/**
 * Sends one chat turn and reads it the way useChat would, recording what arrived. With
 * `abortAfterDeltas` the client aborts its request as soon as that many deltas have arrived.
 */
export async function chatTurn(appUrl: string, cookie: string, chatId: number | string, content: string, options: TurnOptions = {}): Promise<TurnResult> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error('turn timed out'))
  }, options.timeoutMs ?? 60_000)
  const started = performance.now()
  const query = `chat_id=${chatId}${options.playground ? '&is_playground=true' : ''}`
  const result: TurnResult = {
    status: 0, text: '', deltas: 0, frames: [], sawFinish: false, done: false,
    aborted: false, headers: new Headers(), elapsedMs: 0, cutOff: false,
  }
  try {
    const res = await fetch(`${appUrl}/api/ai/cloudflare/${options.model ?? DEFAULT_MODEL_NAME}/chat?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ messages: options.messages ?? [{ role: 'user', content }] }),
      signal: controller.signal,
    })
    result.status = res.status
    result.headers = res.headers
    if (res.status !== 200) {
      result.body = await res.text()
      return result
    }
    const parser = uiStreamParser(result, (frame) => {
      if (frame.type === 'text-delta') result.deltas++
      else if (frame.type === 'finish') result.sawFinish = true
      else if (frame.type === 'error') result.errorText = frame.errorText as string
    })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        chunk = await reader.read()
      }
      catch (error) {
        if (controller.signal.aborted && !result.aborted) throw error
        // The connection broke off: the stream ended without its last part.
        result.cutOff = !result.sawFinish && result.errorText === undefined
        break
      }
      if (chunk.done) {
        result.cutOff = !result.sawFinish && result.errorText === undefined
        break
      }
      parser.feed(decoder.decode(chunk.value, { stream: true }))
      if (options.abortAfterDeltas !== undefined && result.deltas >= options.abortAfterDeltas && !result.sawFinish && result.errorText === undefined) {
        result.aborted = true
        result.abortedAt = Date.now()
        controller.abort()
        await reader.cancel().catch(() => {})
        break
      }
    }
    return result
  }
  catch (error) {
    // A turn that outlives its bound is reported, not thrown: status 0 means "no answer in time".
    if (!timedOut) throw error
    result.status = result.status || 0
    result.body = `no answer within ${options.timeoutMs ?? 60_000} ms`
    result.cutOff = result.status === 200
    return result
  }
  finally {
    clearTimeout(timer)
    result.elapsedMs = performance.now() - started
  }
}

/** GET /api/chats/:id as `user`, expecting 200. */
export async function storedChat(user: Pick<TestUser, 'fetch'>, chatId: number): Promise<ChatWithMessages> {
  const res = await user.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

/** Every stored message of a chat, oldest first, read page by page (GET /api/chats/:id?before=). */
export async function allStoredMessages(user: Pick<TestUser, 'fetch'>, chatId: number): Promise<StoredMessage[]> {
  const pages: StoredMessage[][] = []
  let before: number | undefined
  for (;;) {
    const res = await user.fetch(`/api/chats/${chatId}${before ? `?before=${before}` : ''}`)
    expect(res.status).toBe(200)
    const page = await res.json() as ChatWithMessages
    pages.unshift(page.messages)
    if (!page.hasEarlier || !page.messages.length) return pages.flat()
    before = page.messages[0]!.id
  }
}

/** Polls the chat until an ended assistant message (not `streaming`) follows the user message containing `marker`. */
export async function storedAnswerAfter(user: Pick<TestUser, 'fetch'>, chatId: number, marker: string, timeoutMs = 5000): Promise<StoredMessage> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const chat = await storedChat(user, chatId)
    const index = chat.messages.findIndex(m => m.role === 'user' && m.content.includes(marker))
    const answer = index >= 0 ? chat.messages[index + 1] : undefined
    if (answer?.role === 'assistant' && answer.status !== 'streaming') return answer
    if (Date.now() > deadline) throw new Error(`no stored answer after ${marker}: ${JSON.stringify(chat.messages.map(m => [m.role, m.status, m.content.slice(0, 40)]))}`)
    await sleep(25)
  }
}

/** The emulator record(s) whose request carried `marker`. */
export function recordsFor(emulator: Emulator, marker: string): RequestRecord[] {
  return emulator.requests.filter(r => JSON.stringify(r.body).includes(marker))
}

/** Waits for the emulator request carrying `marker` to satisfy `predicate`. */
export function waitForRecord(emulator: Emulator, marker: string, predicate: (r: RequestRecord) => boolean = () => true, timeoutMs = 5000) {
  return emulator.waitFor(r => JSON.stringify(r.body).includes(marker) && predicate(r), timeoutMs)
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  })
  await Promise.all(workers)
  return results
}

/** A small seeded PRNG (mulberry32), so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Asserts an API error body: status, application/json, exactly {statusCode, statusMessage}.
 * Returns the raw text.
 */
export function checkErrorShape(status: number, contentType: string | null, text: string): string | undefined {
  if (!contentType?.startsWith('application/json')) return `content-type ${contentType}`
  let body: unknown
  try {
    body = JSON.parse(text)
  }
  catch {
    return `body is not JSON: ${text.slice(0, 120)}`
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `body is not an object: ${text.slice(0, 120)}`
  const keys = Object.keys(body).sort().join(',')
  if (keys !== 'statusCode,statusMessage') return `body keys ${keys}`
  const { statusCode, statusMessage } = body as { statusCode: unknown, statusMessage: unknown }
  if (statusCode !== status) return `statusCode ${String(statusCode)} != HTTP ${status}`
  if (typeof statusMessage !== 'string' || !statusMessage) return 'statusMessage is not a non-empty string'
  return undefined
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

/** Fetch with an upper bound: a hang becomes a test failure with a message, not a timeout of the file. */
export async function boundedFetch(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
}
