import { createHash } from 'node:crypto'

/** drizzle's MigrationMeta, built from the journal so migrations can come from any storage. */
interface MigrationMeta {
  sql: string[]
  bps: boolean
  folderMillis: number
  hash: string
}

interface Journal {
  entries: { tag: string, when: number, breakpoints: boolean }[]
}

/**
 * Reads drizzle-kit's migrations through `read` (the file system in scripts, Nitro's server
 * assets in the app, so the migrations travel inside `.output`) and applies the missing ones.
 * Same hashing and splitting as drizzle's own `readMigrationFiles`.
 */
export async function applyMigrations(
  db: { dialect: { migrate: (m: MigrationMeta[], session: unknown, config: object) => Promise<void> }, session: unknown },
  read: (name: string) => Promise<string>,
): Promise<void> {
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
  await db.dialect.migrate(migrations, db.session, { migrationsFolder: '' })
}
