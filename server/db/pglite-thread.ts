import { copyFileSync, cpSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

/**
 * PGlite on its own thread. PGlite is PostgreSQL compiled to WebAssembly: every statement runs
 * synchronously on the thread that owns it, which in a server is the one thread that also relays
 * every open answer. Here the database gets a worker thread and the server thread only posts
 * messages, so a chat turn's statements do not hold up everybody else's tokens.
 *
 * It offers what drizzle's PGlite driver calls (`query`, `transaction`) and `close`.
 * Transactions run inside PGlite's own `transaction()` on the worker, so PGlite keeps other
 * queries waiting until they end, exactly as in process.
 */
export class PGliteThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (error: Error) => void }>()
  private nextId = 1
  private lost: Error | undefined
  private readonly worker: Worker

  private constructor(worker: Worker) {
    this.worker = worker
    worker.on('message', (message: Reply) => {
      const waiter = this.pending.get(message.id)
      if (!waiter) return
      this.pending.delete(message.id)
      if (message.error) waiter.reject(toError(message.error))
      else waiter.resolve(message.result)
    })
    const fail = (error: Error) => {
      this.lost ??= Object.assign(new Error(`PGlite stopped: ${error.message}`), { code: 'CONNECTION_ENDED' })
      for (const waiter of this.pending.values()) waiter.reject(this.lost)
      this.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', code => fail(new Error(`its thread exited with code ${code}`)))
  }

  /**
   * Opens the database in `dataDir` (or `memory://`). A folder without a database is first copied
   * from `template` (scripts/pglite-template.ts: a data folder after initdb and the migrations,
   * made at build time) when there is one, else made by initdb on a thread of its own, which
   * then ends: initdb is a second WebAssembly instance, about 500 MiB resident, that would
   * otherwise stay with the thread for good. A plain copy takes well under 0.1 s; unpacking a
   * dump through PGlite took 2.2 s, half of a first start.
   */
  static async open(dataDir: string, template = defaultTemplate()): Promise<PGliteThread> {
    const pgliteUrl = pgliteEntry()
    if (dataDir !== 'memory://' && !existsSync(join(dataDir, 'PG_VERSION'))) {
      if (template && existsSync(join(template, 'PG_VERSION'))) copyDataFolder(template, dataDir)
      else await (await PGliteThread.start(pgliteUrl, dataDir)).close()
    }
    return PGliteThread.start(pgliteUrl, dataDir)
  }

  private static async start(pgliteUrl: string, dataDir: string): Promise<PGliteThread> {
    const thread = new PGliteThread(new Worker(WORKER_SOURCE, { eval: true, workerData: { pgliteUrl, dataDir, postgresqlconf: POSTGRESQL_CONF } }))
    await thread.call({ op: 'ready' })
    return thread
  }

  query(sql: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }): Promise<unknown> {
    return this.call({ op: 'query', sql, params: params ?? [], rowMode: options?.rowMode ?? 'object' })
  }

  async transaction<T>(fn: (tx: { query: PGliteThread['query'] }) => Promise<T>): Promise<T> {
    const tx = await this.call({ op: 'begin' }) as number
    let result: T
    try {
      result = await fn({
        query: (sql, params, options) => this.call({ op: 'query', tx, sql, params: params ?? [], rowMode: options?.rowMode ?? 'object' }),
      })
    }
    catch (error) {
      await this.call({ op: 'end', tx, commit: false }).catch(() => {})
      throw error
    }
    await this.call({ op: 'end', tx, commit: true })
    return result
  }

  async close(): Promise<void> {
    if (!this.lost) await this.call({ op: 'close' }).catch(() => {})
    await this.worker.terminate()
  }

  private call(request: Request): Promise<unknown> {
    if (this.lost) return Promise.reject(this.lost)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ id, ...request })
    })
  }
}

/** The template `nuxt build` writes beside the server's entry (.output/server/pglite-template). */
function defaultTemplate(): string | undefined {
  return process.env.NEPTUN_PGLITE_TEMPLATE || (process.argv[1] ? join(dirname(process.argv[1]), 'pglite-template') : undefined)
}

/**
 * Copies the template's files into `dataDir`, PG_VERSION last: a copy cut short (the process
 * killed) leaves a folder without it, which the next start copies again.
 */
function copyDataFolder(template: string, dataDir: string): void {
  const version = join(template, 'PG_VERSION')
  cpSync(template, dataDir, { recursive: true, filter: source => join(source) !== version })
  copyFileSync(version, join(dataDir, 'PG_VERSION'))
}

/**
 * PGlite's ES module entry, for the worker to import by URL. Found the way Node looks up a package
 * from here (the build's node_modules in production): Nitro rewrites `import.meta`, so
 * `import.meta.resolve` is not available in the bundle.
 */
function pgliteEntry(): string {
  for (const dir of createRequire(import.meta.url).resolve.paths('@electric-sql/pglite') ?? []) {
    const entry = join(dir, '@electric-sql/pglite/dist/index.js')
    if (existsSync(entry)) return pathToFileURL(entry).href
  }
  throw new Error('@electric-sql/pglite is not installed')
}

type Request =
  | { op: 'ready' | 'begin' | 'close' }
  | { op: 'query', sql: string, params: unknown[], rowMode: 'array' | 'object', tx?: number }
  | { op: 'end', tx: number, commit: boolean }

interface Reply {
  id: number
  result?: unknown
  error?: SerializedError
}

interface SerializedError {
  message: string
  name: string
  fields: Record<string, unknown>
}

/** The database error as thrown on the worker: message, name and PostgreSQL's fields (code, detail…). */
function toError(serialized: SerializedError): Error {
  const error = new Error(serialized.message)
  error.name = serialized.name
  return Object.assign(error, serialized.fields)
}

// PostgreSQL's default shared_buffers (128 MB) is sized for a server of its own; one embedded in
// the app's process keeps it resident. The operating system caches the files under it as well.
export const POSTGRESQL_CONF = ['shared_buffers = 16MB']

// Plain JavaScript, evaluated as the worker's script, so the build needs no second entry point.
// If PGlite fails to load, the rejection ends the thread and the 'error' handler fails every call.
const WORKER_SOURCE = /* js */ `
const { parentPort, workerData } = require('node:worker_threads')
;(async () => {
  const { PGlite, types } = await import(workerData.pgliteUrl)
  const db = new PGlite(workerData.dataDir, { postgresqlconf: workerData.postgresqlconf })
  // As drizzle asks for: dates, times and intervals stay the strings PostgreSQL sent.
  const keep = value => value
  const parsers = Object.fromEntries([types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map(type => [type, keep]))
  const transactions = new Map()
  const ROLLED_BACK = new Error('rolled back')
  let nextTx = 1
  const handle = async (message) => {
    switch (message.op) {
      case 'ready': return db.waitReady
      case 'query': {
        const target = message.tx ? transactions.get(message.tx).client : db
        return target.query(message.sql, message.params, { rowMode: message.rowMode, parsers })
      }
      case 'begin': {
        const tx = nextTx++
        // PGlite holds its lock while this callback runs; 'end' lets it commit or roll back.
        return new Promise((started, failed) => {
          const entry = {}
          entry.settled = db.transaction(client => new Promise((finish, abort) => {
            Object.assign(entry, { client, finish, abort })
            transactions.set(tx, entry)
            started(tx)
          }))
          entry.settled.catch(failed)
        })
      }
      case 'end': {
        const entry = transactions.get(message.tx)
        transactions.delete(message.tx)
        if (message.commit) entry.finish()
        else entry.abort(ROLLED_BACK)
        try {
          await entry.settled
        }
        catch (error) {
          if (error !== ROLLED_BACK) throw error
        }
        return undefined
      }
      case 'close': return db.close()
    }
  }
  parentPort.on('message', (message) => {
    handle(message).then(
      result => parentPort.postMessage({ id: message.id, result }),
      (error) => {
        const fields = {}
        for (const [key, value] of Object.entries(error ?? {})) if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value
        parentPort.postMessage({ id: message.id, error: { message: String(error?.message ?? error), name: String(error?.name ?? 'Error'), fields } })
      },
    )
  })
})()
`
