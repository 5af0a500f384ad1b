// Behaviour of our dependencies that has no public API and that the server relies on. Each test
// names the place that relies on it; if one fails after an upgrade, that place needs another way.
import { readFile } from 'node:fs/promises'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { drizzle } from 'drizzle-orm/pglite'
import { createEvent, getSession, sealSession, type H3Event } from 'h3'
import { callNodeRequestHandler } from 'node-mock-http'
import { describe, expect, it } from 'vitest'
import { applyMigrations, readMigrations } from '#server/db/migrate'
import { nodeSocketOf } from '#server/utils/runtime'

const MIGRATIONS = new URL('../../server/db/migrations/', import.meta.url)
const readMigration = (name: string) => readFile(new URL(name, MIGRATIONS), 'utf8')

function nodeEvent(headers: Record<string, string> = {}): H3Event {
  const req = new IncomingMessage(new Socket())
  Object.assign(req.headers, headers)
  return createEvent(req, new ServerResponse(req))
}

describe('nodeSocketOf (request.ts reads the body, answer/response.ts writes the answer)', () => {
  it('finds the socket of a real Node request', () => {
    expect(nodeSocketOf(nodeEvent())).toBeDefined()
  })

  it('finds none for Nitro\'s in-process fetch and Workers, whose request and response are marked __unenv__', async () => {
    let found: unknown = 'not called'
    await callNodeRequestHandler((req, res) => {
      found = nodeSocketOf(createEvent(req, res))
    }, { url: '/api/health' })
    expect(found).toBeUndefined()
  })
})

describe('h3\'s per-request session cache (auth.ts remembers unsealed sessions through it)', () => {
  const config = { name: 'neptun-session', password: 'a-test-password-of-at-least-32-characters' }
  const session = { id: 'remembered', createdAt: Date.now(), data: { user: { id: 1 } } }

  it('is read before the cookie is unsealed', async () => {
    const event = nodeEvent({ cookie: `${config.name}=not-a-valid-seal` })
    ;(event.context as { sessions?: Record<string, unknown> }).sessions = { [config.name]: session }
    expect(await getSession(event, config)).toBe(session)
  })

  it('holds the session h3 unsealed from the cookie, under the cookie\'s name', async () => {
    const sealing = nodeEvent()
    ;(sealing.context as { sessions?: Record<string, unknown> }).sessions = { [config.name]: session }
    const sealed = await sealSession(sealing, config)
    const event = nodeEvent({ cookie: `${config.name}=${sealed}` })
    await getSession(event, config)
    expect((event.context as { sessions?: Record<string, typeof session> }).sessions?.[config.name]).toMatchObject({ id: 'remembered', data: { user: { id: 1 } } })
  })
})

describe('drizzle\'s migrator (db/migrate.ts feeds it migrations from Nitro\'s server assets)', () => {
  it('reads the migrations exactly as drizzle\'s readMigrationFiles does', async () => {
    expect(await readMigrations(readMigration)).toEqual(readMigrationFiles({ migrationsFolder: MIGRATIONS.pathname }))
  })

  it('applies them with PgDialect.migrate, once', async () => {
    const client = new PGlite()
    try {
      const db = drizzle({ client })
      await applyMigrations(db, readMigration)
      await applyMigrations(db, readMigration)
      const applied = await db.execute(sql`select hash from drizzle.__drizzle_migrations order by id`)
      expect(applied.rows.map(row => row.hash)).toEqual((await readMigrations(readMigration)).map(migration => migration.hash))
      const tables = await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`)
      expect(tables.rows.map(row => row.table_name)).toEqual(expect.arrayContaining(['chats', 'messages', 'users']))
    }
    finally {
      await client.close()
    }
  })
})
