// Workers AI failures: before the first token they become real HTTP statuses; after it the
// stream (already 200) ends with an error frame and the partial answer is stored as 'error'.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { emulatorControl, type RequestRecord } from '../../emulator/client.ts'
import { directive, expectApiError, marker, readUiStream, signUp, words, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
/** The emulator's API token (the app server gets it as CLOUDFLARE_API_TOKEN): no response may show it. */
const API_TOKEN = 'emulator-token'
const FIRST_TOKEN_TIMEOUT_MS = 2000

let user: TestUser
const bodiesSeen: string[] = []

beforeAll(async () => {
  user = await signUp(appUrl)
})

afterAll(() => {
  // Checked here too, so every error body of this file counts.
  for (const body of bodiesSeen) expect(body).not.toContain(API_TOKEN)
})

/** Sends `content` (with a marker) to a fresh saved chat; returns the response and the marker. */
async function send(behaviour: Record<string, unknown> | string, options: { playground?: boolean, text?: string } = {}) {
  const id = marker()
  const chat = await user.createChat()
  const content = `${options.text ?? 'Tell me something'} ${id} ${directive(behaviour)}`
  const started = performance.now()
  const res = await user.chat(chat.id, [{ role: 'user', content }], { playground: options.playground })
  return { res, id, chatId: chat.id, content, elapsed: () => performance.now() - started }
}

const recordFor = (id: string, done = true) =>
  emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && (!done || r.outcome !== 'in-progress'))

async function storedChat(chatId: number): Promise<ChatWithMessages> {
  const res = await user.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

async function expectUpstreamError(res: Response, status: number, message: string) {
  const text = await expectApiError(res, status, message)
  bodiesSeen.push(text)
  expect(text).not.toContain(API_TOKEN)
  expect(text).not.toMatch(/Bearer|emulator-account|\/client\/v4|127\.0\.0\.1/)
  return text
}

describe('before the first token', () => {
  it('answers 429 with Retry-After when Workers AI is rate-limited', async () => {
    const { res, id } = await send('429')
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    await expectUpstreamError(res, 429, ERRORS.upstreamRateLimited)
    expect((await recordFor(id)).status).toBe(429)
  })

  it('passes on the Retry-After value Workers AI gave', async () => {
    const { res } = await send({ error: { status: 429, code: 3040, retryAfter: 7 } })
    expect(res.headers.get('retry-after')).toBe('7')
    await expectUpstreamError(res, 429, ERRORS.upstreamRateLimited)
  })

  it('still sends a Retry-After when Workers AI gave none', async () => {
    const { res } = await send({ error: { status: 429, code: 3040 } })
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    await expectUpstreamError(res, 429, ERRORS.upstreamRateLimited)
  })

  it('answers 502 when Workers AI rejects the credentials (401 / 10000)', async () => {
    const { res, id } = await send('401')
    await expectUpstreamError(res, 502, ERRORS.upstreamRejected)
    expect((await recordFor(id)).status).toBe(401)
  })

  it('answers 502 when Workers AI fails (500)', async () => {
    const { res } = await send('500')
    await expectUpstreamError(res, 502, ERRORS.upstreamFailed)
  })

  it('answers 502 when Workers AI answers 200 with success: false', async () => {
    const { res } = await send('success-false')
    expect(res.status).toBe(502)
    bodiesSeen.push(await expectApiError(res, 502, /Workers AI/))
  })

  it('answers 502 when the connection is refused', async () => {
    const { res, id } = await send('refuse')
    await expectUpstreamError(res, 502, ERRORS.upstreamFailed)
    expect((await recordFor(id)).outcome).toBe('refused')
  })

  it('answers 504 within about the first-token timeout when Workers AI stalls, and closes the upstream request', async () => {
    const { res, id, elapsed } = await send('stall')
    await expectUpstreamError(res, 504, ERRORS.upstreamTimeout)
    const took = elapsed()
    expect(took).toBeGreaterThanOrEqual(FIRST_TOKEN_TIMEOUT_MS * 0.9)
    expect(took).toBeLessThan(FIRST_TOKEN_TIMEOUT_MS + 2000)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 2000)
    expect(record.clientClosed).toBe(true)
    expect((await emulator.requests()).filter(r => JSON.stringify(r.body).includes(id))).toHaveLength(1)
  })

  it('answers 504 when Workers AI does not even send response headers in time', async () => {
    const { res, id, elapsed } = await send({ error: { status: 500, code: 3043 }, firstTokenDelayMs: 5000 })
    await expectUpstreamError(res, 504, ERRORS.upstreamTimeout)
    expect(elapsed()).toBeLessThan(FIRST_TOKEN_TIMEOUT_MS + 2000)
    expect((await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 2000)).status).toBeUndefined()
  })

  it('answers 413 when Workers AI says the input is too long (413 / 5021)', async () => {
    const { res } = await send({ error: { status: 413, code: 5021 } })
    await expectUpstreamError(res, 413, ERRORS.contextTooLong)
  })

  it.each<[string, Record<string, unknown>, number, string]>([
    ['408 / 3007 (timeout)', { status: 408, code: 3007 }, 504, ERRORS.upstreamTimeout],
    ['429 / 4006 (daily allocation used)', { status: 429, code: 4006 }, 429, ERRORS.upstreamRateLimited],
    ['404 / 7003 (bad account path)', { status: 404, code: 7003 }, 502, ERRORS.upstreamRejected],
    ['400 / 5006 (bad input)', { status: 400, code: 5006 }, 502, ERRORS.upstreamFailed],
    ['400 / 5007 (no such model)', { status: 400, code: 5007 }, 400, ERRORS.serviceRetired],
    ['503 (no envelope code)', { status: 503, code: 0 }, 502, ERRORS.upstreamFailed],
  ])('maps Workers AI %s to %i', async (_, error, status, message) => {
    const { res } = await send({ error })
    await expectUpstreamError(res, status, message)
  })

  it.each(['429', '500', '401', 'refuse'])('calls Workers AI once, without retries, when it answers %s', async (name) => {
    const { res, id } = await send(name)
    expect(res.status).toBeGreaterThanOrEqual(400)
    bodiesSeen.push(await res.text())
    await recordFor(id)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect((await emulator.requests()).filter(r => JSON.stringify(r.body).includes(id))).toHaveLength(1)
  })

  it('calls Workers AI at most twice for 200 + success:false (workers-ai-provider re-POSTs a JSON answer without streaming)', async () => {
    const { res, id } = await send('success-false')
    bodiesSeen.push(await expectApiError(res, 502, /Workers AI/))
    await recordFor(id)
    await new Promise(resolve => setTimeout(resolve, 100))
    const calls = (await emulator.requests()).filter(r => JSON.stringify(r.body).includes(id))
    console.log(`[upstream] success:false with 200 → ${calls.length} Workers AI call(s), stream flags ${JSON.stringify(calls.map(c => (c.body as { stream?: boolean }).stream))}`)
    expect(calls.length).toBeLessThanOrEqual(2)
  })

  it('stores the user message but no answer after a failure before the first token', async () => {
    const { res, chatId, content } = await send('500')
    await expectUpstreamError(res, 502, ERRORS.upstreamFailed)
    const chat = await storedChat(chatId)
    expect(chat.messages.map(m => [m.role, m.content])).toEqual([['user', content]])
  })
})

describe('after the first token', () => {
  async function failMidStream(behaviour: Record<string, unknown> | string) {
    const sent = await send(behaviour)
    expect(sent.res.status).toBe(200)
    expect(sent.res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const stream = await readUiStream(sent.res)
    bodiesSeen.push(JSON.stringify(stream.frames))
    const record: RequestRecord = await recordFor(sent.id)
    return { ...sent, stream, record }
  }

  async function expectStoredError(chatId: number, received: string) {
    const chat = await storedChat(chatId)
    expect(chat.messages.map(m => m.role)).toEqual(['user', 'assistant'])
    const answer = chat.messages[1]!
    expect(answer.status).toBe('error')
    expect(answer.content).toBe(received)
  }

  it('ends with an error frame when the connection drops, and stores the partial answer as error', async () => {
    const { stream, record, chatId } = await failMidStream('drop')
    expect(record.outcome).toBe('dropped')
    expect(stream.text.length).toBeGreaterThan(0)
    expect(stream.text).toBe(record.textSent)
    expect(stream.done).toBe(false)
    const last = stream.frames.at(-1)!
    expect(last).toEqual({ type: 'error', errorText: ERRORS.upstreamBrokenStream })
    expect(stream.frames.some(f => f.type === 'finish')).toBe(false)
    await expectStoredError(chatId, stream.text)
    // The client learns which stored message holds the partial answer.
    const stored = await storedChat(chatId)
    const metadata = stream.frames.find(f => f.type === 'message-metadata')
    expect(metadata?.messageMetadata).toMatchObject({ assistantMessageId: stored.messages[1]!.id, status: 'error' })
  })

  it('ends with an error frame after the idle timeout when Workers AI stalls mid-stream', async () => {
    const { stream, record, chatId, elapsed } = await failMidStream('stall-mid')
    expect(elapsed()).toBeGreaterThanOrEqual(2000 * 0.9)
    expect(stream.text).toBe(record.textSent)
    expect(stream.frames.at(-1)).toEqual({ type: 'error', errorText: ERRORS.upstreamIdle })
    expect(stream.done).toBe(false)
    await expectStoredError(chatId, stream.text)
    // The stalled upstream request was closed by the app.
    const closed = await emulator.waitForRequest(r => r.id === record.id && r.clientClosed, 2000)
    expect(closed.clientClosed).toBe(true)
  })

  it('ends with an error frame when Workers AI ends without [DONE]', async () => {
    const reply = words(8)
    const { stream, record, chatId } = await failMidStream({ reply, omitDone: true })
    expect(record.outcome).toBe('completed')
    expect(stream.text).toBe(reply)
    expect(stream.frames.at(-1)).toMatchObject({ type: 'error' })
    expect(stream.done).toBe(false)
    await expectStoredError(chatId, stream.text)
  })

  it('keeps streaming across a malformed frame or ends with an error frame, never a 200 that lies', async () => {
    const { stream, record, chatId } = await failMidStream('malformed')
    const chat = await storedChat(chatId)
    const answer = chat.messages.at(-1)!
    console.log(`[upstream] malformed frame: stream ${stream.done ? 'completed' : 'ended with an error frame'}, stored status ${answer.status}, ${stream.text.length}/${record.textSent.length} chars`)
    expect(answer.role).toBe('assistant')
    expect(answer.content).toBe(stream.text)
    if (stream.done) {
      expect(answer.status).toBe('complete')
      expect(stream.text).toBe(record.textSent)
    }
    else {
      expect(stream.frames.at(-1)).toMatchObject({ type: 'error' })
      expect(answer.status).toBe('error')
    }
  })
})
