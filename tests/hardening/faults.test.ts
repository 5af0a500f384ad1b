// Workers AI faults, driven through the emulator: every failure becomes a clear status before
// the first token, or an error part after it, and whatever was streamed is stored with the
// right status. The API token never shows up in an answer or a log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERRORS } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { directive, marker, signUp, words, type TestUser } from '../support/api-client.ts'
import { freePort } from '../../harness/postgres.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { chatTurn, checkErrorShape, distinctive, median, recordsFor, sleep, storedAnswerAfter, storedChat, waitForRecord, type TurnResult } from './support.ts'

const FIRST_TOKEN_TIMEOUT_MS = 800
const IDLE_TIMEOUT_MS = 800
/** The issue's bound for closing the upstream request after the client leaves. */
const ABORT_CLOSE_BOUND_MS = 200
const ABORT_RUNS = 10
/** A distinctive token the emulator accepts: any occurrence in a body or a log line is a leak. */
const TOKEN = distinctive('tok-neptun-faults')
const WRONG_TOKEN = distinctive('tok-neptun-wrong')

let emulator: Emulator
let app: AppServer
/** Same emulator, a token it rejects: real 401s, not injected ones. */
let wrongTokenApp: AppServer
/** Workers AI base URL on a port where nothing listens. */
let closedPortApp: AppServer
let user: TestUser
const bodies: string[] = []

beforeAll(async () => {
  emulator = await startEmulator({ token: TOKEN, tokenDelayMs: 2 })
  const timeouts = { CHAT_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_TIMEOUT_MS), CHAT_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) }
  const closedPort = await freePort()
  ;[app, wrongTokenApp, closedPortApp] = await Promise.all([
    startAppServer({ emulatorUrl: emulator.url, env: { ...timeouts, CLOUDFLARE_API_TOKEN: TOKEN } }),
    startAppServer({ emulatorUrl: emulator.url, env: { ...timeouts, CLOUDFLARE_API_TOKEN: WRONG_TOKEN } }),
    startAppServer({ emulatorUrl: `http://127.0.0.1:${closedPort}/client/v4`, env: { ...timeouts, CLOUDFLARE_API_TOKEN: TOKEN } }),
  ])
  user = await signUp(app.url)
})

afterAll(async () => {
  await Promise.all([app?.stop(), wrongTokenApp?.stop(), closedPortApp?.stop()])
  await emulator?.close()
})

/** One turn in a fresh chat of `user` on `server`, with a marker and a directive. */
async function send(behaviour: Record<string, unknown> | string | undefined, options: { server?: AppServer, who?: TestUser, abortAfterDeltas?: number } = {}) {
  const server = options.server ?? app
  const who = options.who ?? user
  const id = marker('fault')
  const chat = await who.createChat()
  const content = `Tell me something ${id}${behaviour === undefined ? '' : ` ${directive(behaviour)}`}`
  const turn = await chatTurn(server.url, who.cookie, chat.id, content, { abortAfterDeltas: options.abortAfterDeltas })
  if (turn.body !== undefined) bodies.push(turn.body)
  bodies.push(JSON.stringify(turn.frames))
  return { turn, id, chatId: chat.id }
}

function expectError(turn: TurnResult, status: number, message: string) {
  expect(turn.status, turn.body).toBe(status)
  expect(checkErrorShape(status, turn.headers.get('content-type'), turn.body ?? '')).toBeUndefined()
  expect(JSON.parse(turn.body!).statusMessage).toBe(message)
}

/** Before the first token nothing but the user's message is stored. */
async function expectNoAnswerStored(who: TestUser, chatId: number) {
  await sleep(50)
  const chat = await storedChat(who, chatId)
  expect(chat.messages.map(m => m.role)).toEqual(['user'])
}

describe('failures before the first token become HTTP statuses', () => {
  it('upstream 429 → 429 with Retry-After', async () => {
    const { turn, id, chatId } = await send('429')
    expectError(turn, 429, ERRORS.upstreamRateLimited)
    expect(turn.headers.get('retry-after')).toMatch(/^[1-9]\d*$/)
    // The emulator's alias sends Retry-After: 5; it is passed on.
    expect(turn.headers.get('retry-after')).toBe('5')
    expect((await waitForRecord(emulator, id)).status).toBe(429)
    await expectNoAnswerStored(user, chatId)
  })

  it('upstream 410/5028 (model retired) → 400 "Service not available anymore."', async () => {
    const { turn, id, chatId } = await send('410')
    expectError(turn, 400, ERRORS.serviceRetired)
    expect((await waitForRecord(emulator, id)).status).toBe(410)
    await expectNoAnswerStored(user, chatId)
  })

  it.each([
    ['401 / 10000', '401', 401],
    ['403', { error: { status: 403, code: 10000, message: 'Forbidden' } }, 403],
  ])('upstream %s (rejected credentials) → 502', async (_name, behaviour, upstreamStatus) => {
    const { turn, id } = await send(behaviour)
    expectError(turn, 502, ERRORS.upstreamRejected)
    expect((await waitForRecord(emulator, id)).status).toBe(upstreamStatus)
  })

  it('a token the emulator does not accept → real 401 upstream → 502', async () => {
    const other = await signUp(wrongTokenApp.url)
    const { turn, id } = await send(undefined, { server: wrongTokenApp, who: other })
    expectError(turn, 502, ERRORS.upstreamRejected)
    const record = await waitForRecord(emulator, id)
    expect(record.status).toBe(401)
    expect(record.authorization).toBe(`Bearer ${WRONG_TOKEN}`)
  })

  it.each([
    ['500', '500', 500],
    ['503', { error: { status: 503, code: 3043, message: 'Service unavailable' } }, 503],
  ])('upstream %s → 502', async (_name, behaviour, upstreamStatus) => {
    const { turn, id, chatId } = await send(behaviour)
    expectError(turn, 502, ERRORS.upstreamFailed)
    expect((await waitForRecord(emulator, id)).status).toBe(upstreamStatus)
    await expectNoAnswerStored(user, chatId)
  })

  it('a connection the upstream resets without answering → 502', async () => {
    const { turn, id } = await send('refuse')
    expectError(turn, 502, ERRORS.upstreamFailed)
    expect((await waitForRecord(emulator, id)).outcome).toBe('refused')
  })

  it('a Workers AI base URL where nothing listens (connection refused) → 502', async () => {
    const other = await signUp(closedPortApp.url)
    const { turn, chatId } = await send(undefined, { server: closedPortApp, who: other })
    expectError(turn, 502, ERRORS.upstreamFailed)
    expect(turn.elapsedMs).toBeLessThan(FIRST_TOKEN_TIMEOUT_MS)
    await expectNoAnswerStored(other, chatId)
  })

  it(`a stall before the first token → 504 after the configured ${FIRST_TOKEN_TIMEOUT_MS} ms, and the upstream request is closed`, async () => {
    const { turn, id, chatId } = await send('stall')
    expectError(turn, 504, ERRORS.upstreamTimeout)
    console.log(`[faults] first-token stall answered 504 after ${Math.round(turn.elapsedMs)} ms (timeout ${FIRST_TOKEN_TIMEOUT_MS} ms)`)
    expect(turn.elapsedMs).toBeGreaterThanOrEqual(FIRST_TOKEN_TIMEOUT_MS - 20)
    expect(turn.elapsedMs).toBeLessThan(FIRST_TOKEN_TIMEOUT_MS + 1000)
    const record = await waitForRecord(emulator, id, r => r.clientClosed)
    expect(record.tokensSent).toBe(0)
    await expectNoAnswerStored(user, chatId)
  })
})

describe('failures after the first token end the stream with an error part', () => {
  it(`an idle stall mid-stream → error part after ${IDLE_TIMEOUT_MS} ms, upstream aborted, partial stored as error`, async () => {
    const { turn, id, chatId } = await send('stall-mid')
    expect(turn.status).toBe(200)
    expect(turn.errorText).toBe(ERRORS.upstreamIdle)
    expect(turn.sawFinish).toBe(false)
    expect(turn.deltas).toBeGreaterThan(0)
    // The emulator stalls after 5 tokens; the idle timer runs from the last one.
    expect(turn.elapsedMs).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 20)
    const record = await waitForRecord(emulator, id, r => r.clientClosed)
    expect(record.outcome).toBe('stalled')
    expect(record.tokensSent).toBe(5)
    const answer = await storedAnswerAfter(user, chatId, id)
    expect(answer.status).toBe('error')
    expect(answer.content).toBe(turn.text)
    expect(answer.content).toBe(record.textSent)
  })

  it.each([
    // After a malformed frame the app stops reading and closes the request (client-closed);
    // the emulator may also have finished its remaining tokens first (completed).
    ['a malformed frame', 'malformed', ['client-closed', 'completed']],
    ['a connection dropped mid-stream', 'drop', ['dropped']],
  ])('%s → error part, partial answer kept as error', async (_name, behaviour, outcomes) => {
    const { turn, id, chatId } = await send(behaviour)
    expect(turn.status).toBe(200)
    expect(turn.errorText).toBe(ERRORS.upstreamBrokenStream)
    expect(turn.sawFinish).toBe(false)
    const record = await waitForRecord(emulator, id, r => r.outcome !== 'in-progress')
    expect(outcomes).toContain(record.outcome)
    // Both faults strike after 5 tokens: those 5 reach the client and the database, nothing after.
    const answer = await storedAnswerAfter(user, chatId, id)
    expect(answer.status).toBe('error')
    expect(answer.content).toBe(turn.text)
    expect(turn.text.length).toBeGreaterThan(0)
    expect(record.textSent.startsWith(answer.content)).toBe(true)
    expect(answer.content.trim().split(/\s+/)).toHaveLength(5)
  })

  it('a clean stream is stored complete, exactly as sent (control case)', async () => {
    const { turn, id, chatId } = await send({ tokens: 30 })
    expect(turn.status).toBe(200)
    expect(turn.sawFinish).toBe(true)
    expect(turn.errorText).toBeUndefined()
    const record = await waitForRecord(emulator, id, r => r.outcome === 'completed')
    const answer = await storedAnswerAfter(user, chatId, id)
    expect(answer).toMatchObject({ status: 'complete', content: record.textSent })
    expect(turn.text).toBe(record.textSent)
  })
})

describe('client disconnect', () => {
  it(`in the playground: closes the upstream request within ${ABORT_CLOSE_BOUND_MS} ms (median of ${ABORT_RUNS}), every time`, async () => {
    const latencies: number[] = []
    for (let run = 0; run < ABORT_RUNS; run++) {
      const reply = words(200, `r${run}t`)
      const id = marker('fault')
      const turn = await chatTurn(app.url, user.cookie, 0, `Tell me something ${id} ${directive({ reply, tokenDelayMs: 20 })}`, { playground: true, abortAfterDeltas: 3 + run })
      expect(turn.status).toBe(200)
      expect(turn.aborted).toBe(true)
      const record = await waitForRecord(emulator, id, r => r.clientClosed, 3000)
      latencies.push(record.clientClosedAt! - turn.abortedAt!)
      expect(record.outcome).toBe('client-closed')
      expect(record.tokensSent).toBeLessThan(200)
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    console.log(`[faults] playground: upstream closed after client abort: median ${median(latencies)} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms over ${ABORT_RUNS} runs: [${latencies.join(', ')}]`)
    expect(median(latencies)).toBeLessThanOrEqual(ABORT_CLOSE_BOUND_MS)
    for (const latency of latencies) expect(latency).toBeLessThanOrEqual(ABORT_CLOSE_BOUND_MS)
  })

  it('in a saved chat: the answer goes on to its end and is stored complete, exactly as Workers AI sent it', async () => {
    const reply = words(60, 'kept')
    const { turn, id, chatId } = await send({ reply, tokenDelayMs: 10 }, { abortAfterDeltas: 3 })
    expect(turn.aborted).toBe(true)
    const record = await waitForRecord(emulator, id, r => r.outcome !== 'in-progress', 5000)
    expect(record.outcome).toBe('completed')
    const answer = await storedAnswerAfter(user, chatId, id)
    expect(answer).toMatchObject({ status: 'complete', content: reply })
    expect(answer.content.startsWith(turn.text)).toBe(true)
  })
})

describe('leave, then send at once', () => {
  it('the superseded answer stays before the next question in the stored chat, as aborted', async () => {
    // The client leaves and immediately sends its next message in the same chat. The new
    // question stops the answer still being generated; it must come out of the database in
    // conversation order, as aborted, exactly as far as it was generated.
    // Ten users' chats at once (one user may have only a few answers generating), so the server
    // is as busy as a real one.
    const orders = await Promise.all(Array.from({ length: 10 }, async () => {
      const who = await signUp(app.url)
      const chat = await who.createChat()
      const first = marker('first')
      const stopped = await chatTurn(app.url, who.cookie, chat.id, `First ${first} ${directive({ tokens: 200, tokenDelayMs: 5 })}`, { abortAfterDeltas: 3 })
      expect(stopped.aborted).toBe(true)
      const second = marker('second')
      const next = await chatTurn(app.url, who.cookie, chat.id, `Second ${second}`)
      expect(next.sawFinish).toBe(true)
      const answer = await storedAnswerAfter(who, chat.id, first)
      const record = await waitForRecord(emulator, first, r => r.outcome !== 'in-progress', 5000)
      expect(record.textSent.startsWith(answer.content)).toBe(true)
      expect(answer.content.startsWith(stopped.text)).toBe(true)
      const stored = await storedChat(who, chat.id)
      return stored.messages.map(m => `${m.role}:${m.status}:${m.content.includes(first) ? 'first' : m.content.includes(second) ? 'second' : ''}`)
    }))
    for (const order of orders) expect(order).toEqual(['user:complete:first', 'assistant:aborted:', 'user:complete:second', 'assistant:complete:'])
  })
})

describe('a failed title', () => {
  it.each([
    ['Workers AI answers 500', { error: { status: 500, code: 3043 } }],
    ['Workers AI breaks off', { dropAfterTokens: 1 }],
  ])('when %s, logs one calm line: no stack, no token, no question', async (_, title) => {
    const lines = () => app.logs().split('\n').filter(line => line.includes('[titles]'))
    const before = lines().length
    const id = marker('title')
    const chat = await user.createChat()
    const turn = await chatTurn(app.url, user.cookie, chat.id, `Name this chat ${id} ${directive({ title })}`)
    expect(turn.sawFinish).toBe(true)
    await waitForRecord(emulator, id, r => r.behaviourSource === 'title' && r.outcome !== 'in-progress')
    await sleep(300)
    const added = lines().slice(before)
    expect(added).toHaveLength(1)
    expect(added[0]).toMatch(/^\[titles\] a chat keeps its first message as title: \w/)
    const tail = app.logs().slice(app.logs().lastIndexOf('[titles]'))
    expect(tail).not.toContain(TOKEN)
    expect(tail).not.toContain(id)
    expect(tail).not.toMatch(/^\s+at /m)
    expect((await storedChat(user, chat.id)).title).toMatch(/^Name this chat/)
  })
})

describe('secrets', () => {
  it('the API token appears in no response body, no stream and no server log line', async () => {
    // Make sure the failure paths have run (this test may be run alone).
    if (!bodies.length) {
      for (const behaviour of ['401', '500', 'drop', 'malformed']) await send(behaviour)
    }
    expect(recordsFor(emulator, 'fault-').some(r => r.authorization === `Bearer ${TOKEN}`)).toBe(true)
    for (const body of bodies) {
      expect(body).not.toContain(TOKEN)
      expect(body).not.toContain(WRONG_TOKEN)
      expect(body).not.toMatch(/Bearer /)
    }
    for (const server of [app, wrongTokenApp, closedPortApp]) {
      const logs = server.logs()
      expect(logs).not.toContain(TOKEN)
      expect(logs).not.toContain(WRONG_TOKEN)
      expect(logs).not.toMatch(/Bearer /)
    }
    // The logs do say what failed (so the check above is not vacuous).
    expect(app.logs()).toMatch(/Workers AI failed/)
    expect(wrongTokenApp.logs()).toMatch(/status 401/)
  })
})
