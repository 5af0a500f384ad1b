
import type { SQL } from 'drizzle-orm'
import { useEvent } from 'nitropack/runtime'
import { connectDatabase, type Connection, type Database } from '../db/connect.ts'
import * as schema from '../db/schema.ts'
import { serverConfig } from './config.ts'
import { ON_WORKERS } from './runtime.ts'

export const tables = schema

let connecting: Promise<Connection> | undefined

/**
 * The database, connected and migrated. Every handler awaits this one promise, because Nitro
 * serves requests before async plugins finish. A failed connection is forgotten, so the next
 * request tries again: a server started while its database is down recovers by itself.
 *
 * @example const db = await useDb()
 */
export async function useDb(): Promise<Database> {
  if (ON_WORKERS) return (await workersConnection()).db
  const { databaseUrl, databasePoolMax } = serverConfig()
  connecting ??= connectDatabase(databaseUrl, {
    poolMax: databasePoolMax,
    readMigration,
  }).catch((error) => {
    connecting = undefined
    throw error
  })
  return (await connecting).db
}

async function readMigration(name: string): Promise<string> {
  const text = await useStorage('assets:migrations').getItemRaw<string | Uint8Array>(name)
  if (text == null) throw new Error(`Migration file ${name} is missing from the build`)
  return typeof text === 'string' ? text : new TextDecoder().decode(text)
}

let migratedOnWorkers = false

/**
 * One connection per request on Workers, where sockets belong to the request that opened them
 * (Hyperdrive pools them for us). Found through the request's async context; migrations run
 * once per isolate.
 */
function workersConnection(): Promise<Connection> {
  const context = useEvent().context as { neptunDb?: Promise<Connection> }
  context.neptunDb ??= connectDatabase(serverConfig().databaseUrl || hyperdriveUrl(), {
    poolMax: 2,
    readMigration,
    migrate: !migratedOnWorkers,
  }).then((connection) => {
    migratedOnWorkers = true
    return connection
  })
  return context.neptunDb
}

function hyperdriveUrl(): string | undefined {
  return (globalThis as { __env__?: { HYPERDRIVE?: { connectionString?: string } } }).__env__?.HYPERDRIVE?.connectionString
}

/** The connection itself, for what drizzle does not cover (LISTEN/NOTIFY). */
export async function useDbConnection(): Promise<Connection> {
  if (ON_WORKERS) return workersConnection()
  await useDb()
  return connecting!
}

/**
 * Runs raw SQL and returns its rows. postgres-js answers an array, PGlite `{ rows }`: this is
 * the one place that knows.
 *
 * @example const [row] = await queryRows<{ id: number }>(db, sql`select 1 as id`)
 */
export async function queryRows<T>(db: { execute: (query: SQL) => PromiseLike<unknown> }, query: SQL): Promise<T[]> {
  const result = await db.execute(query) as T[] | { rows: T[] }
  return Array.isArray(result) ? result : result.rows
}

/** Closes the pool (server shutdown, tests). */
export async function closeDb(): Promise<void> {
  const pending = connecting
  connecting = undefined
  if (pending) await (await pending.catch(() => undefined))?.close()
}

export type { Database }
