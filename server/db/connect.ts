import type { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { applyMigrations } from './migrate.ts'
import * as schema from './schema.ts'

/** The database with the app's schema, whichever driver is under it (postgres-js or PGlite). */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>

export interface Connection {
  db: Database
  kind: 'pglite' | 'postgres'
  close: () => Promise<void>
  /** PostgreSQL only: messages between instances sharing the database (LISTEN/NOTIFY). */
  listen?: (channel: string, onMessage: (payload: string) => void) => Promise<void>
  notify?: (channel: string, payload: string) => Promise<void>
}

/** Any number, as long as every instance uses the same one. */
const MIGRATION_LOCK_ID = 727_073_690

/**
 * Opens the database named by DATABASE_URL and migrates it:
 * unset → PGlite in ./.data/pglite; `pglite://<dir>` or `memory://` → PGlite; `postgres(ql)://` → PostgreSQL.
 */
export async function connectDatabase(url: string | undefined, options: {
  poolMax: number
  readMigration: (name: string) => Promise<string>
  /** False when this process already migrated (Workers connect once per request). */
  migrate?: boolean
}): Promise<Connection> {
  if (url?.startsWith('postgres://') || url?.startsWith('postgresql://')) {
    const client = postgres(url, {
      // The migration lock holds one connection while the migration runs on another.
      max: Math.max(2, options.poolMax),
      onnotice: () => {},
      connect_timeout: 3,
      // postgres.js backs off up to 20 s between failed connects, shared by the pool: during an
      // outage every request would wait for it. Retry quickly, so requests fail fast with 503
      // and service resumes within a second of the database coming back.
      backoff: (attempt: number) => Math.min(0.1 * 2 ** attempt, 1),
      // Idle connections are recycled so a restarted server is picked up without a restart here.
      idle_timeout: 30,
    })
    const db = drizzlePostgres(client, { schema })
    if (options.migrate === false) return postgresConnection(client, db)
    try {
      // Several instances may start at once: one migrates, the others wait, then find nothing to do.
      const reserved = await client.reserve()
      try {
        await reserved`select pg_advisory_lock(${MIGRATION_LOCK_ID})`
        await applyMigrations(db, options.readMigration)
      }
      finally {
        await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {})
        reserved.release()
      }
    }
    catch (error) {
      await client.end({ timeout: 1 }).catch(() => {})
      throw error
    }
    return postgresConnection(client, db)
  }

  const dataDir = !url ? './.data/pglite' : url === 'memory://' ? 'memory://' : url.replace(/^pglite:\/\//, '')
  if (url && !url.startsWith('pglite://') && url !== 'memory://') throw new Error('DATABASE_URL must start with postgres://, postgresql://, pglite:// or be memory://')
  if (dataDir !== 'memory://') {
    const { mkdir } = await import('node:fs/promises')
    await mkdir(dataDir, { recursive: true })
  }
  // Loaded only when used: PGlite is Node-only and stays out of the way on Workers.
  const [{ PGliteThread }, { drizzle: drizzlePglite }] = await Promise.all([import('./pglite-thread.ts'), import('drizzle-orm/pglite')])
  const client = await PGliteThread.open(dataDir)
  // PGliteThread answers the two calls drizzle's PGlite driver makes (query, transaction), as
  // tests/unit/pglite-thread.test.ts checks; it is not a PGlite, so the type is asserted here.
  const db: Database = drizzlePglite({ client: client as unknown as PGlite, schema })
  oneStatementAtATime.add(db)
  try {
    await applyMigrations(db, options.readMigration)
  }
  catch (error) {
    await client.close()
    throw error
  }
  return { db, kind: 'pglite', close: () => client.close() }
}

const oneStatementAtATime = new WeakSet<Database>()

/** Whether the database runs one statement at a time (PGlite), so that many small ones queue behind each other. */
export function runsOneStatementAtATime(db: Database): boolean {
  return oneStatementAtATime.has(db)
}

function postgresConnection(client: postgres.Sql, db: Database): Connection {
  return {
    db,
    kind: 'postgres',
    close: () => client.end({ timeout: 5 }),
    listen: async (channel, onMessage) => {
      await client.listen(channel, onMessage)
    },
    notify: async (channel, payload) => {
      await client.notify(channel, payload)
    },
  }
}
