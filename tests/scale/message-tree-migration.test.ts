// Chats stored before messages formed a tree move into it without loss: a database migrated up to
// 0009_start_turn and filled through that schema's own tables and function is migrated the rest of
// the way, on PGlite and on PostgreSQL 15, and every chat reads as before, as one active path.
import { readFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { sql, type SQL } from 'drizzle-orm'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { applyMigrations } from '../../server/db/migrate.ts'

const MIGRATIONS = new URL('../../server/db/migrations/', import.meta.url)
const LAST_BEFORE_TREE = '0009_start_turn'

const readAll = (name: string) => readFile(new URL(name, MIGRATIONS), 'utf8')

/** The migrations as they were before the tree: the journal up to LAST_BEFORE_TREE. */
async function readBeforeTree(name: string): Promise<string> {
  if (name !== 'meta/_journal.json') return readAll(name)
  const journal = JSON.parse(await readAll(name)) as { entries: { tag: string }[] }
  const end = journal.entries.findIndex(entry => entry.tag === LAST_BEFORE_TREE)
  expect(end).toBeGreaterThan(0)
  return JSON.stringify({ ...journal, entries: journal.entries.slice(0, end + 1) })
}

type Db = Parameters<typeof applyMigrations>[0]

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query) as unknown as { rows?: T[] } | T[]
  return Array.isArray(result) ? result : result.rows ?? []
}

interface OldChat { id: number, contents: string[] }

/**
 * Chats as the previous schema stored them: a saved conversation (plain inserts), turns through
 * start_turn as it was (its 10 arguments), an answer still `streaming`, and a chat left empty.
 */
async function fillWithOldSchema(db: Db): Promise<{ userId: number, chats: OldChat[], storedBytes: number }> {
  const [user] = await rows<{ id: number }>(db, sql`insert into users (email, password_hash) values ('old@example.com', 'x') returning id`)
  const userId = user!.id
  const chats: OldChat[] = []
  const [saved] = await rows<{ id: number }>(db, sql`insert into chats (user_id, title) values (${userId}, 'Saved') returning id`)
  const savedContents = ['Hello', 'Hi there, Grüße 🌊', 'What is Neptune?', 'The eighth planet.']
  await db.execute(sql`insert into messages (chat_id, role, content) values
    (${saved!.id}, 'user', ${savedContents[0]}), (${saved!.id}, 'assistant', ${savedContents[1]}),
    (${saved!.id}, 'user', ${savedContents[2]}), (${saved!.id}, 'assistant', ${savedContents[3]})`)
  chats.push({ id: saved!.id, contents: savedContents })

  const [turns] = await rows<{ id: number }>(db, sql`insert into chats (user_id, title) values (${userId}, 'New chat') returning id`)
  const turnContents: string[] = []
  for (const [at, question] of ['First question', 'Second question'].entries()) {
    const [started] = await rows<{ outcome: string, assistant_message_id: number }>(db, sql`
      select * from start_turn(${userId}, ${turns!.id}, ${question}, ${question}, 'New chat', ${`gen-${at}`}, 'llama-3.3-70b-instruct-fp8-fast', 0, 20000, 0)`)
    expect(started!.outcome).toBe('started')
    const answer = `Answer ${at + 1}`
    // The last answer stays streaming, as one in progress when the server was upgraded.
    if (at === 0) await db.execute(sql`update messages set content = ${answer}, status = 'complete' where id = ${started!.assistant_message_id}`)
    turnContents.push(question, at === 0 ? answer : '')
  }
  chats.push({ id: turns!.id, contents: turnContents })

  const [empty] = await rows<{ id: number }>(db, sql`insert into chats (user_id, title) values (${userId}, 'Empty') returning id`)
  chats.push({ id: empty!.id, contents: [] })
  const [bytes] = await rows<{ stored_bytes: number | string }>(db, sql`select stored_bytes from users where id = ${userId}`)
  return { userId, chats, storedBytes: Number(bytes!.stored_bytes) }
}

async function checkTree(db: Db, filled: Awaited<ReturnType<typeof fillWithOldSchema>>) {
  for (const chat of filled.chats) {
    const messages = await rows<{ id: number, parent_id: number | null, active: boolean, content: string }>(db, sql`
      select id, parent_id, active, content from messages where chat_id = ${chat.id} order by id`)
    // Nothing lost, nothing reordered, all on the active path.
    expect(messages.map(m => m.content)).toEqual(chat.contents)
    expect(messages.every(m => m.active)).toBe(true)
    // Each message follows the one before it; the first follows none.
    expect(messages.map(m => m.parent_id)).toEqual(messages.map((_, at) => at === 0 ? null : messages[at - 1]!.id))
  }
  const [bytes] = await rows<{ stored_bytes: number | string }>(db, sql`select stored_bytes from users where id = ${filled.userId}`)
  expect(Number(bytes!.stored_bytes)).toBe(filled.storedBytes)

  // The migrated chat goes on as a tree: a regenerated answer to the first question is a version
  // beside the old one, which stays, off the active path.
  const [saved] = filled.chats
  const [hash] = await rows<{ hashes: string[] }>(db, sql`select message_hashes(array(select id from messages where chat_id = ${saved!.id} order by id limit 0)) as hashes`)
  expect(hash!.hashes).toEqual([])
  const [started] = await rows<{ outcome: string, user_message_id: number, assistant_message_id: number }>(db, sql`
    select * from start_turn(${filled.userId}, ${saved!.id}, 'Hello', 'Hello', 'New chat', 'gen-new', 'llama-3.3-70b-instruct-fp8-fast', 0, 20000, 0, '{}'::text[], null, true)`)
  expect(started!.outcome).toBe('started')
  const after = await rows<{ id: number, parent_id: number | null, active: boolean }>(db, sql`select id, parent_id, active from messages where chat_id = ${saved!.id} order by id`)
  expect(after).toHaveLength(5)
  expect(started!.user_message_id).toBe(after[0]!.id)
  expect(after.filter(m => m.active).map(m => m.id)).toEqual([after[0]!.id, started!.assistant_message_id])
  expect(after.at(-1)).toMatchObject({ parent_id: after[0]!.id, active: true })
}

describe('migrating chats into the tree of messages', () => {
  it('on PGlite', async () => {
    const client = new PGlite()
    try {
      const db = drizzlePglite({ client }) as unknown as Db
      await applyMigrations(db, readBeforeTree)
      const filled = await fillWithOldSchema(db)
      await applyMigrations(db, readAll)
      await checkTree(db, filled)
    }
    finally {
      await client.close()
    }
  })

  describe('on PostgreSQL', () => {
    let pg: TestPostgres
    beforeAll(async () => {
      pg = await startPostgres()
    })
    afterAll(() => pg?.stop())

    it('keeps every chat', async () => {
      const client = postgres(pg.url, { max: 1, onnotice: () => {} })
      try {
        const db = drizzlePostgres({ client }) as unknown as Db
        await applyMigrations(db, readBeforeTree)
        const filled = await fillWithOldSchema(db)
        await applyMigrations(db, readAll)
        await checkTree(db, filled)
      }
      finally {
        await client.end()
      }
    })
  })
})
