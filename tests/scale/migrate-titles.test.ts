// The migration that adds titles' sources, pins and feedback, on a database filled by the schema
// before it: existing chats keep their titles (a generated one may only replace "New chat"),
// nothing is pinned, and feedback comments count towards the storage quota from then on.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../harness/app-server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'

const journal = JSON.parse(readFileSync(join(ROOT, 'server/db/migrations/meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] }
const ours = journal.entries.findIndex(entry => entry.tag.endsWith('_titles_feedback_pins'))

async function apply(sql: postgres.Sql, tags: string[]): Promise<void> {
  for (const tag of tags) {
    const text = readFileSync(join(ROOT, 'server/db/migrations', `${tag}.sql`), 'utf8')
    for (const statement of text.split('--> statement-breakpoint')) {
      if (statement.trim()) await sql.unsafe(statement)
    }
  }
}

let pg: TestPostgres
let sql: postgres.Sql
beforeAll(async () => {
  pg = await startPostgres()
  sql = postgres(pg.url, { max: 1, onnotice: () => {} })
})
afterAll(async () => {
  await sql?.end()
  pg?.stop()
})

describe('the titles, feedback and pins migration', () => {
  it('keeps existing titles as the user\'s, lets "New chat" be named, pins nothing, and counts comments', async () => {
    expect(ours).toBeGreaterThan(0)
    await apply(sql, journal.entries.slice(0, ours).map(entry => entry.tag))
    const [user] = await sql`insert into users (email, password_hash) values ('old@example.test', 'x') returning id`
    const chats = await sql`insert into chats (user_id, title) values (${user!.id}, 'New chat'), (${user!.id}, 'Renamed long ago'), (${user!.id}, 'How do tides work?') returning id`
    const [answer] = await sql`insert into messages (chat_id, role, content) values (${chats[2]!.id}, 'user', 'How do tides work?'), (${chats[2]!.id}, 'assistant', 'The Moon.') returning id`.then(rows => rows.slice(1))
    const [{ stored_bytes: before }] = await sql`select stored_bytes from users where id = ${user!.id}`

    await apply(sql, journal.entries.slice(ours).map(entry => entry.tag))
    const migrated = await sql`select title, title_source, pinned from chats order by id`
    expect(migrated.map(row => [row.title, row.title_source, row.pinned])).toEqual([
      ['New chat', 'fallback', false],
      ['Renamed long ago', 'user', false],
      ['How do tides work?', 'user', false],
    ])

    await sql`insert into message_feedback (message_id, user_id, rating, comment) values (${answer!.id}, ${user!.id}, 'down', 'Too short')`
    const bytes = async () => Number((await sql`select stored_bytes from users where id = ${user!.id}`)[0]!.stored_bytes)
    expect(await bytes()).toBe(Number(before) + 'Too short'.length)
    await sql`update message_feedback set comment = 'Short' where message_id = ${answer!.id}`
    expect(await bytes()).toBe(Number(before) + 'Short'.length)
    await sql`delete from chats where id = ${chats[2]!.id}`
    expect(await bytes()).toBe(0)
    expect(await sql`select * from message_feedback`).toHaveLength(0)
  })
})
