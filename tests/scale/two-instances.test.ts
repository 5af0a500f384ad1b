// Two production servers on one PostgreSQL, as behind a load balancer: any request may land on
// either, and nothing may be lost, duplicated or stuck in one process's memory.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChatWithMessages } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { readUiStream, signUp, userFetch, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'

let pg: TestPostgres
let emulator: Emulator
let a: AppServer
let b: AppServer

beforeAll(async () => {
  pg = await startPostgres()
  emulator = await startEmulator({ tokenDelayMs: 3 })
  // Started at the same moment: both must come up, and the schema must be migrated once.
  ;[a, b] = await Promise.all([
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url }),
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url }),
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

async function chatOn(app: AppServer, user: TestUser, chatId: number, content: string, signal?: AbortSignal) {
  return on(app, user)(`/api/ai/cloudflare/llama-3.3-70b-instruct-fp8-fast/chat?chat_id=${chatId}`, {
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

  it('keeps the partial answer of a stream stopped on B, as seen from A', async () => {
    const user = await signUp(a.url)
    const chat = await user.createChat()
    const controller = new AbortController()
    const res = await chatOn(b, user, chat.id, `stop me ${randomUUID()} [[emulator:{"tokens":200,"tokenDelayMs":20}]]`, controller.signal)
    const partial = await readUiStream(res, { stopAfterDeltas: 5 })
    controller.abort()
    const stored = await waitForAssistant(a, user, chat.id)
    expect(stored.status).toBe('aborted')
    expect(stored.content.startsWith(partial.text)).toBe(true)
    expect(stored.content.length).toBeLessThan(600)
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
    const stored = await waitForAssistant(b, user, chat.id)
    expect(stored.status).toBe('aborted')
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

async function waitForAssistant(app: AppServer, user: TestUser, chatId: number) {
  const deadline = Date.now() + 5000
  for (;;) {
    const stored = await readChat(app, user, chatId)
    const answer = stored.messages.find(m => m.role === 'assistant')
    if (answer) return answer
    if (Date.now() > deadline) throw new Error('no assistant message stored')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
