// PostgreSQL goes away while an answer streams. A short outage loses nothing: the answer is
// kept in memory, the client is told it is pending, and it is stored (and the client told so,
// with its id) once the database is back. A longer outage than CHAT_STORE_RETRY_MS, or more kept
// answers than CHAT_STORE_RETRY_MAX_BYTES, ends with a clear "not saved", never a false finish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERRORS, type ChatWithMessages, type UsageReport } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { directive, marker, signUp, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { controlPostgres, startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { chatTurn, sleep, waitForRecord } from './support.ts'

let pg: TestPostgres
let emulator: Emulator
/** The defaults: an answer is kept for up to 2 minutes. */
let app: AppServer
/** Keeps an answer for 1.5 s only. */
let brief: AppServer
/** Keeps no more than 16 bytes of answers. */
let small: AppServer

beforeAll(async () => {
  pg = await startPostgres()
  emulator = await startEmulator({ tokenDelayMs: 2 })
  ;[app, brief, small] = await Promise.all([
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url }),
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env: { CHAT_STORE_RETRY_MS: '1500', CHAT_ANSWER_STALE_MS: '3000' } }),
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env: { CHAT_STORE_RETRY_MAX_BYTES: '16' } }),
  ])
})

afterAll(async () => {
  await Promise.all([app?.stop(), brief?.stop(), small?.stop()])
  await emulator?.close()
  pg?.stop()
})

/** Starts a 100-token answer, stops PostgreSQL 0.7 s in, and waits for Workers AI to finish it. */
async function answerThroughOutage(server: AppServer) {
  const user = await signUp(server.url)
  const chat = await user.createChat()
  const id = marker('outage')
  const turn = chatTurn(server.url, user.cookie, chat.id, `Long one ${id} ${directive({ tokens: 100, tokenDelayMs: 25 })}`, { timeoutMs: 60_000 })
  await sleep(700)
  controlPostgres(pg.cluster, 'stop')
  const stoppedAt = Date.now()
  const record = await waitForRecord(emulator, id, r => r.outcome === 'completed', 10_000)
  return { user, chatId: chat.id, turn, record, stoppedAt }
}

async function storedChat(user: TestUser, chatId: number): Promise<ChatWithMessages> {
  const res = await user.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

describe('PostgreSQL stopped mid-answer', () => {
  it('and back a few seconds later: the client gets the whole answer, "pending", then a finish with its id; the answer is stored complete', async () => {
    const { user, chatId, turn, record, stoppedAt } = await answerThroughOutage(app)
    await sleep(2000)
    controlPostgres(pg.cluster, 'start')
    console.log(`[answer outage] PostgreSQL down for ${Date.now() - stoppedAt} ms`)
    const result = await turn
    expect(result.status).toBe(200)
    expect(result.text).toBe(record.textSent)
    const pending = result.frames.find(f => f.type === 'message-metadata')
    expect(pending).toEqual({ type: 'message-metadata', messageMetadata: { status: 'complete', storage: 'pending' } })
    expect(result.errorText).toBeUndefined()
    expect(result.sawFinish).toBe(true)
    const finish = result.frames.find(f => f.type === 'finish') as unknown as { messageMetadata: { assistantMessageId: number, status: string } }
    const stored = await storedChat(user, chatId)
    expect(stored.messages.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
    expect(stored.messages[1]!.content).toBe(record.textSent)
    const answer = stored.messages[1]!
    expect(finish.messageMetadata).toMatchObject({ assistantMessageId: answer.id, status: 'complete', usage: { neurons: answer.neurons, costUsd: answer.costUsd } })
    // Its cost is on the user's day once, however many tries storing it took.
    const usage = await (await user.fetch('/api/usage')).json() as UsageReport
    expect(usage.today.total).toMatchObject({ answers: 1, neurons: answer.neurons })
  })

  it('for longer than the retry window: the client is told the answer was not saved, and it ends as an error with what was checkpointed', async () => {
    const { user, chatId, turn, record } = await answerThroughOutage(brief)
    const result = await turn
    controlPostgres(pg.cluster, 'start')
    expect(result.text).toBe(record.textSent)
    expect(result.frames.some(f => f.type === 'message-metadata' && (f.messageMetadata as { storage?: string }).storage === 'pending')).toBe(true)
    expect(result.sawFinish).toBe(false)
    expect(result.errorText).toBe(ERRORS.answerNotSaved)
    // Back up: the row that was never finished is taken for dead, with its last checkpoint.
    await sleep(3500)
    const answer = (await storedChat(user, chatId)).messages.at(-1)!
    expect(answer.status).toBe('error')
    expect(record.textSent.startsWith(answer.content)).toBe(true)
  })

  it('past the memory bound for kept answers: the client is told at once that the answer was not saved', async () => {
    const { turn } = await answerThroughOutage(small)
    const result = await turn
    controlPostgres(pg.cluster, 'start')
    expect(result.frames.some(f => f.type === 'message-metadata' && (f.messageMetadata as { storage?: string }).storage === 'pending')).toBe(false)
    expect(result.errorText).toBe(ERRORS.answerNotSaved)
  })
})
