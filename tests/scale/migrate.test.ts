// `npm run db:migrate`, for deployments that migrate apart from start-up: it migrates once, and
// running it again (or starting a server afterwards) finds nothing to do.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getTableName, isTable } from 'drizzle-orm'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startAppServer } from '../../harness/app-server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import * as schema from '../../server/db/schema.ts'

const journal = JSON.parse(readFileSync(join(ROOT, 'server/db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] }

function migrate(databaseUrl: string) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts/migrate.ts')], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8', timeout: 60_000 })
}

let pg: TestPostgres
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(() => pg?.stop())

describe('npm run db:migrate', () => {
  it('migrates a PostgreSQL database once, twice in a row, and a server then starts on it', async () => {
    for (let run = 0; run < 2; run++) {
      const result = migrate(pg.url)
      expect(result.status, result.stderr).toBe(0)
      expect(result.stdout).toContain('Migrated the postgres database')
    }
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} })
    const [row] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`
    const tables = await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`
    await sql.end()
    expect(row!.n).toBe(journal.entries.length)
    // Every table of the schema, and nothing else.
    const schemaTables = Object.values(schema).filter(isTable).map(table => getTableName(table)).sort()
    expect(schemaTables).toContain('daily_usage')
    expect(tables.map(t => t.table_name)).toEqual(schemaTables)
    const app = await startAppServer({ databaseUrl: pg.url })
    try {
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200)
    }
    finally {
      await app.stop()
    }
  })

  it('migrates a PGlite folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neptun-migrate-'))
    try {
      const result = migrate(`pglite://${dir}`)
      expect(result.status, result.stderr).toBe(0)
      expect(result.stdout).toContain('Migrated the pglite database')
    }
    finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails with a clear message for an unsupported DATABASE_URL', () => {
    const result = migrate('mysql://localhost/db')
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain('DATABASE_URL must start with')
  })
})
