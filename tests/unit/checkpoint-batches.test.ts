// Checkpoints on PGlite, which runs one statement at a time: those asked for while one is being
// written go together in the next statement, each still told whether its row took it.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sql, type SQL } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Connection } from '#server/db/connect'

let connection: Connection
let store: typeof import('#server/utils/answer-store')
let statements = 0
let chatId: number

const rowsOf = <T>(result: unknown): T[] => Array.isArray(result) ? result : (result as { rows: T[] }).rows

beforeAll(async () => {
  // Nitro's auto-import, as the module finds it in the server.
  vi.stubGlobal('queryRows', async (db: { execute: (query: SQL) => Promise<unknown> }, query: SQL) => rowsOf(await db.execute(query)))
  const { connectDatabase } = await import('#server/db/connect')
  connection = await connectDatabase('memory://', { poolMax: 1, readMigration: name => readFile(join(import.meta.dirname, '../../server/db/migrations', name), 'utf8') })
  store = await import('#server/utils/answer-store')
  const execute = connection.db.execute.bind(connection.db)
  vi.spyOn(connection.db, 'execute').mockImplementation(((query: SQL) => {
    statements++
    return execute(query)
  }) as typeof connection.db.execute)
  const [user] = rowsOf<{ id: number }>(await execute(sql`insert into users (email, password_hash) values ('batch@example.com', 'x') returning id`))
  ;[{ id: chatId }] = rowsOf<{ id: number }>(await execute(sql`insert into chats (user_id, title) values (${user!.id}, 'batch') returning id`))
})

afterAll(async () => {
  await connection?.close()
})

/** `n` answers streaming in the chat: their row ids and generations. */
async function streamingAnswers(n: number): Promise<{ id: number, generationId: string }[]> {
  const rows = rowsOf<{ id: number, generation_id: string }>(await connection.db.execute(sql`
    insert into messages (chat_id, role, content, status, generation_id, checkpoint_at, seen)
    select ${chatId}, 'assistant', '', 'streaming', 'g-' || gen_random_uuid(), now(), false from generate_series(1, ${n})
    returning id, generation_id`))
  return rows.map(row => ({ id: row.id, generationId: row.generation_id }))
}

describe('checkpoints on PGlite', () => {
  it('a checkpoint alone is written at once, in its own statement', async () => {
    const [answer] = await streamingAnswers(1)
    statements = 0
    expect(await store.writeCheckpoint(connection.db, answer!.id, answer!.generationId, { content: 'alone', reasoning: '' })).toBe('written')
    expect(statements).toBe(1)
  })

  it('sixty asked for at once take two statements (the first alone, then the rest together); each row gets its own text; a row that ended says so', async () => {
    const answers = await streamingAnswers(60)
    await connection.db.execute(sql`update messages set status = 'aborted' where id = ${answers[30]!.id}`)
    statements = 0
    const results = await Promise.all(answers.map((answer, i) => store.writeCheckpoint(connection.db, answer.id, answer.generationId, { content: `text ${i} "quoted" \\ {braces}, 'and' ünïcödé`, reasoning: i % 2 ? `thought ${i}` : '' })))
    expect(statements).toBe(2)
    expect(results.filter(result => result === 'ended')).toHaveLength(1)
    expect(results[30]).toBe('ended')
    const stored = rowsOf<{ id: number, content: string, reasoning: string | null }>(await connection.db.execute(sql`select id, content, reasoning from messages where id in (${sql.join(answers.map(answer => sql`${answer.id}`), sql`, `)}) order by id`))
    stored.forEach((row, i) => {
      if (i === 30) return expect(row.content).toBe('')
      expect(row.content).toBe(`text ${i} "quoted" \\ {braces}, 'and' ünïcödé`)
      expect(row.reasoning).toBe(i % 2 ? `thought ${i}` : null)
    })
  })

  it('a row the database refuses (a NUL in its text) fails alone: the others in its batch are written', async () => {
    const answers = await streamingAnswers(5)
    const results = await Promise.allSettled(answers.map((answer, i) => store.writeCheckpoint(connection.db, answer.id, answer.generationId, { content: i === 3 ? 'bad \u0000 text' : `good ${i}`, reasoning: '' })))
    expect(results.map(result => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    const stored = rowsOf<{ content: string }>(await connection.db.execute(sql`select content from messages where id in (${sql.join(answers.map(answer => sql`${answer.id}`), sql`, `)}) order by id`))
    expect(stored.map(row => row.content)).toEqual(['good 0', 'good 1', 'good 2', '', 'good 4'])
  })
})
