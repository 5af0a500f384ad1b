// The one instance generating an answer is killed mid-answer and started again: the answer is
// stored as an error with what was checkpointed, a resuming client is told, and nothing stays
// "answering". On PGlite (one process per folder, so every answer left streaming is dead at
// start-up) and on PostgreSQL (where other instances might be alive: an answer is dead once it
// has not been written for CHAT_ANSWER_STALE_MS).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MODEL_NAME, ERRORS, type ChatSummary, type ChatWithMessages } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { readUiStream, readUiStreamLive, signUp, sleep, userFetch, type TestUser } from '../support/api-client.ts'

const ANSWER_STALE_MS = 8000
const env = { CHAT_ANSWER_STALE_MS: String(ANSWER_STALE_MS) }

let emulator: Emulator
let pg: TestPostgres
let pgliteDir: string

beforeAll(async () => {
  emulator = await startEmulator({ tokenDelayMs: 3 })
  pg = await startPostgres()
  pgliteDir = mkdtempSync(join(tmpdir(), 'neptun-restart-'))
})

afterAll(async () => {
  await emulator?.close()
  pg?.stop()
  rmSync(pgliteDir, { recursive: true, force: true })
})

/** Starts an answer on a fresh server, lets it checkpoint, kills the server and starts another on the same database. */
async function killMidAnswer(databaseUrl: string): Promise<{ app: AppServer, user: TestUser, chatId: number, received: string }> {
  const first = await startAppServer({ emulatorUrl: emulator.url, databaseUrl, env })
  const user = await signUp(first.url)
  const chat = await user.createChat()
  const stream = readUiStreamLive(await user.chat(chat.id, [{ role: 'user', content: `restart ${randomUUID()} [[emulator:{"tokens":600,"tokenDelayMs":20}]]` }]))
  // Past a checkpoint or two.
  await sleep(2500)
  first.process.kill('SIGKILL')
  await stream.done.catch(() => undefined)
  const app = await startAppServer({ emulatorUrl: emulator.url, databaseUrl, env })
  // The same session on the new server.
  return { app, user: { ...user, fetch: userFetch(app.url, user.cookie) }, chatId: chat.id, received: stream.live.text }
}

async function answerOf(user: TestUser, chatId: number) {
  const chat = await (await user.fetch(`/api/chats/${chatId}`)).json() as ChatWithMessages
  return chat.messages.at(-1)!
}

describe('an instance killed mid-answer and started again', () => {
  it('on PGlite: the answer is an error with what was checkpointed as soon as the server is back', async () => {
    const { app, user, chatId, received } = await killMidAnswer(`pglite://${pgliteDir}`)
    try {
      const answer = await answerOf(user, chatId)
      expect(answer.status).toBe('error')
      expect(answer.content.length).toBeGreaterThan(0)
      expect(received.startsWith(answer.content)).toBe(true)
      expect((await user.fetch(`/api/chats/${chatId}/stream`)).status).toBe(204)
      const listed = (await (await user.fetch('/api/chats')).json() as ChatSummary[]).find(chat => chat.id === chatId)!
      expect(listed.answering).toBe(false)
      const next = await user.fetch(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${chatId}`, { method: 'POST', body: { messages: [{ role: 'user', content: `again ${randomUUID()}` }] } })
      expect((await readUiStream(next)).done).toBe(true)
    }
    finally {
      await app.stop()
    }
  })

  it('on PostgreSQL: a resuming client gets what was checkpointed, then is told the answer was interrupted', async () => {
    const { app, user, chatId, received } = await killMidAnswer(pg.url)
    try {
      const started = Date.now()
      const res = await user.fetch(`/api/chats/${chatId}/stream`)
      expect(res.status).toBe(200)
      const stream = await readUiStream(res)
      expect(Date.now() - started).toBeLessThan(ANSWER_STALE_MS + 5000)
      expect(stream.frames.at(-1)).toEqual({ type: 'error', errorText: ERRORS.answerInterrupted })
      const answer = await answerOf(user, chatId)
      expect(answer.status).toBe('error')
      expect(stream.text).toBe(answer.content)
      expect(answer.content.length).toBeGreaterThan(0)
      expect(received.startsWith(answer.content)).toBe(true)
    }
    finally {
      await app.stop()
    }
  })
})
