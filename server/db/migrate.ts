import { createHash } from 'node:crypto'
import type { MigrationMeta } from 'drizzle-orm/migrator'
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgSession } from 'drizzle-orm/pg-core'

interface Journal {
  entries: { tag: string, when: number, breakpoints: boolean }[]
}

/**
 * drizzle-kit's migrations, read through `read` (the file system in scripts, Nitro's server
 * assets in the app, so they travel inside `.output` and reach Workers), hashed and split exactly
 * as drizzle's own `readMigrationFiles` does from a folder. tests/unit/internals.test.ts checks
 * that they stay the same.
 */
export async function readMigrations(read: (name: string) => Promise<string>): Promise<MigrationMeta[]> {
  const journal = JSON.parse(await read('meta/_journal.json')) as Journal
  const migrations: MigrationMeta[] = []
  for (const entry of journal.entries) {
    const query = await read(`${entry.tag}.sql`)
    migrations.push({
      sql: query.split('--> statement-breakpoint'),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash('sha256').update(query).digest('hex'),
    })
  }
  return migrations
}

/**
 * Applies the migrations `db` has not seen, in one transaction: what drizzle's `migrate()` does,
 * fed from `read` instead of a folder.
 */
export async function applyMigrations(db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>, read: (name: string) => Promise<string>): Promise<void> {
  // PgDialect.migrate is typed for a session without a schema; the schema plays no part in it.
  await new PgDialect().migrate(await readMigrations(read), db._.session as PgSession, { migrationsFolder: '' })
}
