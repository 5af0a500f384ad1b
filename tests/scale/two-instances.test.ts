// Two production servers on one PostgreSQL, as behind a load balancer: any request may land on
// either, and nothing may be lost, duplicated or stuck in one process's memory. An answer
// generated on one is resumed, stopped and counted from the other; one whose instance dies is
// ended as an error with what was checkpointed, and its readers are told.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MODEL_NAME, DEFAULTS, ERRORS, LIVE_MODELS, type ChatSummary, type ChatWithMessages, type UsageReport } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { readUiStream, readUiStreamLive, signUp, sleep, userFetch, type ReadStream, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'

let pg: TestPostgres
let emulator: Emulator
let a: AppServer
let b: AppServer

/** Short enough for a dead instance's answer to be noticed within the test, long enough for a loaded machine. */
const ANSWER_STALE_MS = 6000
const env = { CHAT_ANSWER_STALE_MS: String(ANSWER_STALE_MS) }

beforeAll(async () => {
  pg = await startPostgres()
  emulator = await startEmulator({ tokenDelayMs: 3 })
  // Started at the same moment: both must come up, and the schema must be migrated once.
  ;[a, b] = await Promise.all([
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env }),
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env }),
  ])
})

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await emulator?.close()
  pg?.stop()
})

/** The same user seen through instance `app`: the sealed cookie is valid on both. */
function on(app: AppServer, user: TestUser) {
  return userFetch(app.url, user.cookie)
}

async function chatOn(app: AppServer, user: TestUser, chatId: number, content: string, signal?: AbortSignal, model = 'llama-3.3-70b-instruct-fp8-fast') {
  return on(app, user)(`/api/ai/cloudflare/${model}/chat?chat_id=${chatId}`, {
    method: 'POST',
    body: { messages: [{ role: 'user', content }] },
    signal,
  })
}

async function readChat(app: AppServer, user: TestUser, chatId: number): Promise<ChatWithMessages> {
  const res = await on(app, user)(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

describe('two instances on one PostgreSQL', () => {
  it('migrated the schema exactly once although both started together', async () => {
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} })
    const rows = await sql`select count(*)::int as n, count(distinct hash)::int as distinct_hashes from drizzle.__drizzle_migrations`
    await sql.end()
    const journal = JSON.parse(readFileSync(new URL('../../server/db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }
    expect(rows[0]!.n).toBe(journal.entries.length)
    expect(rows[0]!.distinct_hashes).toBe(journal.entries.length)
  })

  it('signs up on A and creates a chat on B with the same cookie', async () => {
    const user = await signUp(a.url)
    const res = await on(b, user)('/api/chats', { method: 'POST', body: { title: 'made on B' } })
    expect(res.status).toBe(201)
    const list = await (await on(a, user)('/api/chats')).json() as { title: string }[]
    expect(list.map(chat => chat.title)).toEqual(['made on B'])
  })

  it('streams an answer from A and reads the stored chat on B', async () => {
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const stream = await readUiStream(await chatOn(a, user, chat.id, `hello ${randomUUID()}`))
    expect(stream.done).toBe(true)
    const stored = await readChat(b, user, chat.id)
    expect(stored.messages.map(m => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']])
    expect(stored.messages[1]!.content).toBe(stream.text)
  })

  it('resumes on B an answer generated on A whose client left: the rest live, then the same finish', async () => {
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const first = await readUiStream(await chatOn(a, user, chat.id, `leave A ${randomUUID()} [[emulator:{"tokens":120,"tokenDelayMs":25}]]`), { stopAfterDeltas: 5 })
    await sleep(1200)
    const res = await resume(b, user, chat.id)
    expect(res.status).toBe(200)
    const resumed = readUiStreamLive(res)
    // Live: the rest arrives over the answer's remaining seconds, not at once at its end.
    await expect.poll(() => resumed.live.text.length, { timeout: 5000 }).toBeGreaterThan(first.text.length)
    const stream = await resumed.done
    expect(stream.done).toBe(true)
    const answer = await waitForEnded(a, user, chat.id)
    expect(answer.status).toBe('complete')
    expect(stream.text).toBe(answer.content)
    expect(stream.text.startsWith(first.text)).toBe(true)
    expect(metadataOf(stream, 'start')).toEqual(metadataOf(first, 'start'))
    expect(metadataOf(stream, 'finish')).toEqual({
      assistantMessageId: answer.id,
      status: 'complete',
      usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens, neurons: answer.neurons, costUsd: answer.costUsd },
      finishReason: 'stop',
    })
  })

  it('resumes on B a reasoning model\'s answer left on A while thinking: its thinking, then its text, the same finish; its cost counts once', async () => {
    const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'reasoning-field')!
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const controller = new AbortController()
    const res = await chatOn(a, user, chat.id, `think on A ${randomUUID()} [[emulator:{"reasoningTokens":80,"tokens":60,"tokenDelayMs":25}]]`, controller.signal, thinker.name)
    const original = readUiStreamLive(res)
    original.done.catch(() => {})
    await expect.poll(() => original.live.frames.filter(frame => frame.type === 'reasoning-delta').length, { timeout: 5000 }).toBeGreaterThan(5)
    controller.abort()
    // Read from the row on B: wait for a checkpoint of the thinking.
    await sleep(1200)
    const resumed = readUiStreamLive(await resume(b, user, chat.id))
    await expect.poll(() => resumed.live.frames.some(frame => frame.type === 'reasoning-delta'), { timeout: 5000 }).toBe(true)
    const stream = await resumed.done
    const answer = await waitForEnded(a, user, chat.id)
    expect(answer).toMatchObject({ status: 'complete', model: thinker.name })
    const thinking = stream.frames.filter(frame => frame.type === 'reasoning-delta').map(frame => frame.delta as string).join('')
    expect(thinking).toBe(answer.reasoning)
    expect(stream.text).toBe(answer.content)
    expect(stream.frames.findIndex(frame => frame.type === 'reasoning-end')).toBeLessThan(stream.frames.findIndex(frame => frame.type === 'text-start'))
    expect(metadataOf(stream, 'start')).toEqual(metadataOf(original.live, 'start'))
    expect(metadataOf(stream, 'finish')).toEqual({
      assistantMessageId: answer.id,
      status: 'complete',
      usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens, neurons: answer.neurons, costUsd: answer.costUsd },
      reasoningMs: answer.reasoningMs,
      finishReason: 'stop',
    })
    const usage = await (await on(b, user)('/api/usage')).json() as UsageReport
    expect(usage.today.models).toEqual([expect.objectContaining({ model: thinker.name, answers: 1, neurons: answer.neurons })])
  })

  it('gives a client on A and a resuming client on B the same text and finish as stored', async () => {
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const original = readUiStreamLive(await chatOn(a, user, chat.id, `both ${randomUUID()} [[emulator:{"tokens":100,"tokenDelayMs":25}]]`))
    await sleep(1300)
    const resumed = await readUiStream(await resume(b, user, chat.id))
    const uninterrupted = await original.done
    const answer = await waitForEnded(b, user, chat.id)
    expect(uninterrupted.text).toBe(answer.content)
    expect(resumed.text).toBe(answer.content)
    expect(metadataOf(resumed, 'finish')).toEqual(metadataOf(uninterrupted, 'finish'))
  })

  it('stops a generation running on A through the stop route on B', async () => {
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const res = await chatOn(a, user, chat.id, `stop remotely ${randomUUID()} [[emulator:{"tokens":300,"tokenDelayMs":20}]]`)
    const reader = res.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    const generationId = /"generationId":"([^"]+)"/.exec(first)?.[1]
    expect(generationId).toBeTruthy()
    const stop = await on(b, user)(`/api/generations/${generationId}/stop`, { method: 'POST' })
    expect(stop.status).toBe(202)
    let rest = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      rest += new TextDecoder().decode(value)
    }
    expect(rest).toContain('"type":"abort"')
    const stored = await waitForEnded(b, user, chat.id)
    expect(stored.status).toBe('aborted')
  })

  it('stops from B an answer that a reader on B follows: both streams end, and the stored answer is what they got', async () => {
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const original = readUiStreamLive(await chatOn(a, user, chat.id, `stop both ${randomUUID()} [[emulator:{"tokens":400,"tokenDelayMs":20}]]`))
    await sleep(1300)
    const follower = readUiStreamLive(await resume(b, user, chat.id))
    await expect.poll(() => follower.live.text.length, { timeout: 5000 }).toBeGreaterThan(0)
    const generationId = metadataOf(follower.live, 'start')!.generationId as string
    expect((await on(b, user)(`/api/generations/${generationId}/stop`, { method: 'POST' })).status).toBe(202)
    const [onA, onB] = await Promise.all([original.done, follower.done])
    expect(onA.frames.map(f => f.type)).toContain('abort')
    expect(onB.frames.map(f => f.type)).toContain('abort')
    const answer = await waitForEnded(b, user, chat.id)
    expect(answer.status).toBe('aborted')
    expect(onA.text).toBe(answer.content)
    expect(onB.text).toBe(answer.content)
  })

  it(`holds the cap of ${DEFAULTS.maxConcurrentAnswers} answers generating at once across A and B`, async () => {
    const user = await signUp(a.url)
    const chats = await Promise.all(Array.from({ length: DEFAULTS.maxConcurrentAnswers + 1 }, () => user.createChat()))
    const running = []
    for (const [i, chat] of chats.slice(0, -1).entries()) {
      const res = await chatOn(i % 2 ? b : a, user, chat.id, `cap ${randomUUID()} [[emulator:{"tokens":400,"tokenDelayMs":20}]]`)
      expect(res.status).toBe(200)
      running.push(readUiStreamLive(res))
    }
    for (const app of [a, b]) {
      const refused = await chatOn(app, user, chats.at(-1)!.id, `one too many ${randomUUID()}`)
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
      expect((await refused.json() as { statusMessage: string }).statusMessage).toBe(ERRORS.tooManyAnswers)
    }
    for (const stream of running) {
      await expect.poll(() => metadataOf(stream.live, 'start'), { timeout: 5000 }).toBeDefined()
      await on(b, user)(`/api/generations/${metadataOf(stream.live, 'start')!.generationId}/stop`, { method: 'POST' })
    }
    await Promise.all(running.map(stream => stream.done))
  })

  it('ends as an error with what was checkpointed an answer whose instance is killed, and tells its readers', async () => {
    const c = await startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env })
    const user = await signUp(c.url)
    const chat = await user.createChat()
    const first = readUiStreamLive(await chatOn(c, user, chat.id, `killed ${randomUUID()} [[emulator:{"tokens":600,"tokenDelayMs":20}]]`))
    // Long enough for checkpoints to have been written.
    await sleep(2500)
    const follower = readUiStreamLive(await resume(b, user, chat.id))
    await expect.poll(() => follower.live.text.length, { timeout: 5000 }).toBeGreaterThan(0)
    c.process.kill('SIGKILL')
    const killedAt = Date.now()
    await first.done.catch(() => undefined)
    const stream = await follower.done
    const noticedAfter = Date.now() - killedAt
    console.log(`[two instances] a reader on B was told ${noticedAfter} ms after the generating instance was killed (stale after ${ANSWER_STALE_MS} ms)`)
    expect(stream.frames.at(-1)).toEqual({ type: 'error', errorText: ERRORS.answerInterrupted })
    expect(noticedAfter).toBeLessThan(ANSWER_STALE_MS + 5000)
    const stored = await readChat(a, user, chat.id)
    const answer = stored.messages.at(-1)!
    expect(answer.status).toBe('error')
    expect(answer.content.length).toBeGreaterThan(0)
    expect(stream.text).toBe(answer.content)
    expect(first.live.text.startsWith(answer.content) || answer.content.startsWith(first.live.text)).toBe(true)
    const listed = (await (await on(a, user)('/api/chats')).json() as ChatSummary[]).find(item => item.id === chat.id)!
    expect(listed.answering).toBe(false)
    // Nothing hangs: a new resume says there is nothing in progress, and the chat takes a new question.
    expect((await resume(a, user, chat.id)).status).toBe(204)
    expect((await readUiStream(await chatOn(a, user, chat.id, `after ${randomUUID()}`))).done).toBe(true)
  })

  it('runs 200 concurrent turns alternating between A and B without losing or duplicating a message', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => signUp(a.url)))
    const chats = await Promise.all(users.flatMap(user => [0, 1].map(async () => ({ user, chat: await user.createChat() }))))
    const turns = Array.from({ length: 200 }, (_, i) => ({ i, ...chats[i % chats.length]!, content: `turn ${i} ${randomUUID()}` }))
    const statuses: number[] = []
    // Turns of one chat run one after another (a user waits for an answer); chats run at once.
    await Promise.all(chats.map(async ({ chat }) => {
      for (const turn of turns.filter(t => t.chat.id === chat.id)) {
        const app = turn.i % 2 ? b : a
        const res = await chatOn(app, turn.user, chat.id, turn.content)
        statuses.push(res.status)
        await readUiStream(res)
      }
    }))
    expect(statuses.filter(s => s !== 200)).toEqual([])
    let userMessages = 0
    for (const [index, { user, chat }] of chats.entries()) {
      const stored = await readChat(index % 2 ? a : b, user, chat.id)
      const expected = turns.filter(t => t.chat.id === chat.id).map(t => t.content)
      const storedUser = stored.messages.filter(m => m.role === 'user').map(m => m.content)
      expect(storedUser).toEqual(expected)
      expect(stored.messages.map(m => m.role)).toEqual(expected.flatMap(() => ['user', 'assistant']))
      expect(stored.messages.every(m => m.status === 'complete')).toBe(true)
      userMessages += storedUser.length
    }
    expect(userMessages).toBe(200)
  }, 120_000)
})

// An answer's final write takes its rows in one order, the one every other statement follows:
// the answer, the day's usage, then the user (the chat's row is written when a turn starts).
// Each test holds a row the way a concurrent statement does and takes the next one the other
// way round: a final write that locked them out of order would deadlock with it.
describe('an answer\'s final write beside statements that hold its rows', () => {
  const MODEL = DEFAULT_MODEL_NAME
  let sql: postgres.Sql

  beforeAll(() => {
    sql = postgres(pg.url, { max: 3, onnotice: () => {} })
  })

  afterAll(async () => {
    await sql?.end()
  })

  /** Waits until a statement matching `pattern` waits for a lock, or `gone` settles first. */
  async function blockedOrGone(pattern: string, gone: Promise<unknown>): Promise<'blocked' | 'gone'> {
    let settled = false
    void gone.finally(() => { settled = true })
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const [row] = await sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like ${pattern}`
      if (row!.n > 0) return 'blocked'
      if (settled) return 'gone'
      await sleep(20)
    }
    throw new Error(`no statement like ${pattern} blocked, and the answer did not end`)
  }

  it('waits for a statement that holds the day\'s usage row and then writes the user, and stores the answer', async () => {
    // A new user: the answer is the first of the day for its model, and the first to set the user's last model.
    const user = await signUp(a.url)
    const chat = await user.createChat('usage row held')
    const answer = readUiStream(await chatOn(a, user, chat.id, `held usage ${randomUUID()} [[emulator:{"tokens":40,"tokenDelayMs":50}]]`))
    const other = sql.begin(async (tx) => {
      await tx`insert into daily_usage (user_id, day, model, answers) values (${user.id}, (now() at time zone 'utc')::date, ${MODEL}, 1)`
      expect(await blockedOrGone('%insert into daily_usage%', answer)).toBe('blocked')
      await tx`update users set stored_bytes = stored_bytes where id = ${user.id}`
    })
    await expect(other).resolves.toBeUndefined()
    const stream = await answer
    expect(stream.done).toBe(true)
    expect(stream.frames.find(frame => frame.type === 'error')).toBeUndefined()
    expect((await waitForEnded(a, user, chat.id)).status).toBe('complete')
    const [usage] = await sql`select answers from daily_usage where user_id = ${user.id} and model = ${MODEL}`
    expect(usage!.answers).toBe(2)
  }, 30_000)

  it('stores an answer while a question superseding it holds its chat and then writes the answer\'s row', async () => {
    const [first, second] = LIVE_MODELS.filter(model => !model.capabilities.reasoning && !model.capabilities.vision)
    const user = await signUp(a.url)
    const chat = await user.createChat('chat row held')
    expect((await readUiStream(await chatOn(a, user, chat.id, `first ${randomUUID()}`, undefined, first!.name))).done).toBe(true)
    // Asked with another model: the chat's model changes with this turn.
    const answer = readUiStreamLive(await chatOn(a, user, chat.id, `switch ${randomUUID()} [[emulator:{"tokens":20,"tokenDelayMs":40}]]`, undefined, second!.name))
    await expect.poll(() => answer.live.text.length, { timeout: 10_000 }).toBeGreaterThan(0)
    const other = sql.begin(async (tx) => {
      await tx`select id from chats where id = ${chat.id} for update`
      await blockedOrGone('%with stored as%', answer.done)
      await tx`update messages set seen = seen where chat_id = ${chat.id} and role = 'assistant'`
    })
    await expect(other).resolves.toBeUndefined()
    const stream = await answer.done
    expect(stream.done).toBe(true)
    expect(stream.frames.find(frame => frame.type === 'error')).toBeUndefined()
    const stored = await readChat(a, user, chat.id)
    expect(stored.model).toBe(second!.name)
    expect(stored.messages.map(m => [m.role, m.status, m.model ?? null])).toEqual([
      ['user', 'complete', null], ['assistant', 'complete', first!.name], ['user', 'complete', null], ['assistant', 'complete', second!.name],
    ])
  }, 30_000)
})

function resume(app: AppServer, user: TestUser, chatId: number) {
  return on(app, user)(`/api/chats/${chatId}/stream`)
}

function metadataOf(stream: ReadStream, type: string): Record<string, unknown> | undefined {
  return (stream.frames.find(f => f.type === type) as { messageMetadata?: Record<string, unknown> } | undefined)?.messageMetadata
}

/** The chat's last answer once it has ended (not `streaming`). */
async function waitForEnded(app: AppServer, user: TestUser, chatId: number) {
  const deadline = Date.now() + 15_000
  for (;;) {
    const answer = (await readChat(app, user, chatId)).messages.findLast(m => m.role === 'assistant')
    if (answer && answer.status !== 'streaming') return answer
    if (Date.now() > deadline) throw new Error(`answer still ${answer?.status ?? 'missing'}`)
    await sleep(50)
  }
}
