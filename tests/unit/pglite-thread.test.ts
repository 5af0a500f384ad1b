// PGlite on a worker thread: what drizzle relies on (rows, transactions, PostgreSQL's error
// fields) and what it is for (the server's thread stays free while the database works).
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PGliteThread } from '../../server/db/pglite-thread.ts'

type Rows<T> = { rows: T[] }

describe('PGliteThread', () => {
  let db: PGliteThread
  beforeAll(async () => {
    db = await PGliteThread.open('memory://')
    await db.query('create table items (id serial primary key, name text unique not null, at timestamptz not null default now())')
  })
  afterAll(() => db.close())

  it('answers rows as objects or arrays, with timestamps left as PostgreSQL wrote them', async () => {
    await db.query('insert into items (name) values ($1)', ['first'])
    const objects = await db.query('select name, at from items where name = $1', ['first']) as Rows<{ name: string, at: unknown }>
    expect(objects.rows).toHaveLength(1)
    expect(objects.rows[0]!.name).toBe('first')
    expect(objects.rows[0]!.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
    const arrays = await db.query('select id, name from items where name = $1', ['first'], { rowMode: 'array' }) as Rows<unknown[]>
    expect(arrays.rows[0]).toEqual([expect.any(Number), 'first'])
  })

  it('commits a transaction, and rolls it back when its callback throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['committed'])
    })
    await expect(db.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['rolled back'])
      throw new Error('changed my mind')
    })).rejects.toThrow('changed my mind')
    const { rows } = await db.query(`select name from items where name in ('committed', 'rolled back')`) as Rows<{ name: string }>
    expect(rows.map(r => r.name)).toEqual(['committed'])
  })

  it('keeps other queries waiting until an open transaction ends', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    const transaction = db.transaction(async (tx) => {
      await tx.query('insert into items (name) values ($1)', ['inside'])
      await held
    })
    await new Promise(resolve => setTimeout(resolve, 50))
    let outsideDone = false
    const outside = db.query(`select count(*)::int as n from items where name = 'inside'`).then((result) => {
      outsideDone = true
      return result as Rows<{ n: number }>
    })
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(outsideDone).toBe(false)
    release()
    await transaction
    expect((await outside).rows[0]!.n).toBe(1)
  })

  it('passes PostgreSQL error fields through (code, message)', async () => {
    await expect(db.query('insert into items (name) values ($1)', ['first'])).rejects.toMatchObject({ code: '23505' })
    await expect(db.query('select * from missing_table')).rejects.toMatchObject({ code: '42P01', message: expect.stringContaining('missing_table') })
  })

  it('leaves the calling thread free while a long statement runs', async () => {
    let ticks = 0
    let worstGap = 0
    let last = performance.now()
    const timer = setInterval(() => {
      const now = performance.now()
      worstGap = Math.max(worstGap, now - last)
      last = now
      ticks++
    }, 5)
    const started = performance.now()
    await db.query('select count(*) from generate_series(1, 3000000) a cross join lateral (select md5(a::text)) b')
    const took = performance.now() - started
    clearInterval(timer)
    // The statement must have been long enough to matter, and the timer kept firing throughout.
    expect(took).toBeGreaterThan(150)
    expect(ticks).toBeGreaterThan(took / 5 / 4)
    expect(worstGap).toBeLessThan(took / 2)
  })
})

describe('PGliteThread when its thread dies', () => {
  // CONNECTION_ENDED is one of the codes server/utils/db.ts maps to 503.
  it('fails pending and later calls as "connection ended"', async () => {
    const db = await PGliteThread.open('memory://')
    const pending = db.query('select pg_sleep(5)')
    await (db as unknown as { worker: { terminate: () => Promise<number> } }).worker.terminate()
    const error = await pending.catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'CONNECTION_ENDED' })
    await expect(db.query('select 1')).rejects.toMatchObject({ code: 'CONNECTION_ENDED' })
    await db.close()
  })
})

describe('PGliteThread on a folder', () => {
  it('creates a new database, keeps it across a reopen, and runs with small shared buffers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neptun-pglite-'))
    try {
      // No template: initdb makes it.
      const created = await PGliteThread.open(dir, '')
      await created.query('create table kept (name text)')
      await created.query(`insert into kept values ('across a reopen')`)
      const settings = await created.query('show shared_buffers') as Rows<{ shared_buffers: string }>
      expect(settings.rows[0]!.shared_buffers).toBe('16MB')
      await created.close()
      const reopened = await PGliteThread.open(dir, '')
      const { rows } = await reopened.query('select name from kept') as Rows<{ name: string }>
      expect(rows).toEqual([{ name: 'across a reopen' }])
      await reopened.close()
    }
    finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('copies a new database from the build\'s template: migrated, small shared buffers, kept across a reopen, the template untouched', async () => {
    const work = mkdtempSync(join(tmpdir(), 'neptun-template-'))
    try {
      const template = join(work, 'pglite-template')
      execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/pglite-template.ts', import.meta.url)), template], { stdio: 'pipe' })
      const journal = JSON.parse(readFileSync(new URL('../../server/db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }
      const dir = join(work, 'data')
      const created = await PGliteThread.open(dir, template)
      const applied = await created.query('select count(*)::int as n from drizzle.__drizzle_migrations') as Rows<{ n: number }>
      expect(applied.rows[0]!.n).toBe(journal.entries.length)
      const settings = await created.query('show shared_buffers') as Rows<{ shared_buffers: string }>
      expect(settings.rows[0]!.shared_buffers).toBe('16MB')
      await created.query(`insert into users (email, password_hash) values ('template@example.com', 'x')`)
      await created.close()
      const reopened = await PGliteThread.open(dir, template)
      const { rows } = await reopened.query('select email from users') as Rows<{ email: string }>
      expect(rows).toEqual([{ email: 'template@example.com' }])
      await reopened.close()
      // A second database from the same template starts empty: the first wrote to its copy only.
      const second = await PGliteThread.open(join(work, 'second'), template)
      const { rows: none } = await second.query('select email from users') as Rows<{ email: string }>
      expect(none).toEqual([])
      await second.close()
      // A copy cut short (no PG_VERSION, a folder missing) is copied again at the next start.
      const cut = join(work, 'cut')
      cpSync(template, cut, { recursive: true })
      rmSync(join(cut, 'PG_VERSION'))
      rmSync(join(cut, 'global'), { recursive: true })
      const recopied = await PGliteThread.open(cut, template)
      const applied2 = await recopied.query('select count(*)::int as n from drizzle.__drizzle_migrations') as Rows<{ n: number }>
      expect(applied2.rows[0]!.n).toBe(journal.entries.length)
      await recopied.close()
    }
    finally {
      rmSync(work, { recursive: true, force: true })
    }
  })
})
