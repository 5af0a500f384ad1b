// Helpers for the team tests (sign-up modes, the admin, account deletion): an extra app server
// with its own settings, signing in as a known user, and reading the database under a server.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { inject } from 'vitest'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { cookieFrom, uniqueEmail, userFetch, type TestUser } from '../../harness/api-client.ts'
import { DEFAULT_MODEL_NAME } from '../../shared/contract/index.ts'

export interface TeamServer extends AppServer {
  /** Runs `query` against the server's database (on PGlite: after stopping the server, its data folder). */
  query: <T>(text: string, params?: unknown[]) => Promise<T[]>
  /** Whether `query` stops the server first (PGlite: one process per folder). */
  queryStops: boolean
}

/**
 * An app server with `env`, on this project's database: the shared PostgreSQL in api-postgres
 * (`fresh` gives a PGlite folder of its own anyway, for tests of an empty database), a PGlite
 * folder of its own otherwise.
 */
export async function startTeamServer(env: Record<string, string>, options: { fresh?: boolean } = {}): Promise<TeamServer> {
  const postgresUrl = options.fresh ? '' : inject('postgresUrl')
  const dir = postgresUrl ? undefined : mkdtempSync(join(tmpdir(), 'neptun-team-'))
  const app = await startAppServer({ emulatorUrl: inject('emulatorUrl'), databaseUrl: postgresUrl || `pglite://${dir}`, env })
  let pglite: { query: <T>(text: string, params?: unknown[]) => Promise<{ rows: T[] }>, close: () => Promise<void> } | undefined
  const stop = async () => {
    await app.stop()
    await pglite?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
  const query = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    if (postgresUrl) {
      const sql = postgres(postgresUrl, { max: 1, onnotice: () => {} })
      try {
        return await sql.unsafe(text, params as never[]) as unknown as T[]
      }
      finally {
        await sql.end()
      }
    }
    if (!pglite) {
      await app.stop()
      const { PGlite } = await import('@electric-sql/pglite')
      pglite = new PGlite(dir!)
    }
    return (await pglite.query<T>(text, params)).rows
  }
  return { ...app, stop, query, queryStops: !postgresUrl }
}

/** Signs in with email and password; the answer must be 200. */
export async function logIn(appUrl: string, email: string, password: string): Promise<TestUser> {
  const res = await fetch(`${appUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  if (res.status !== 200) throw new Error(`log-in failed: ${res.status} ${await res.text()}`)
  const { user } = await res.json() as { user: { id: number } }
  return asUser(appUrl, user.id, email, password, cookieFrom(res))
}

/** A TestUser for a cookie already held. */
export function asUser(appUrl: string, id: number, email: string, password: string, cookie: string): TestUser {
  const doFetch = userFetch(appUrl, cookie)
  return {
    id, email, password, cookie, fetch: doFetch,
    async createChat(title) {
      const res = await doFetch('/api/chats', { method: 'POST', body: title ? { title } : {} })
      if (res.status !== 201) throw new Error(`create chat failed: ${res.status}`)
      return res.json()
    },
    chat(chatId, messages, options = {}) {
      const query = `chat_id=${chatId}${options.playground ? '&is_playground=true' : ''}`
      return doFetch(`/api/ai/cloudflare/${options.model ?? DEFAULT_MODEL_NAME}/chat?${query}`, { method: 'POST', body: { messages }, signal: options.signal })
    },
  }
}

/** An account made by `admin` (POST /api/admin/users), signed in. */
export async function createUserAs(admin: TestUser, appUrl: string, email = uniqueEmail('member'), password = 'member password 1'): Promise<TestUser> {
  const res = await admin.fetch('/api/admin/users', { method: 'POST', body: { email, password } })
  if (res.status !== 201) throw new Error(`admin create user failed: ${res.status} ${await res.text()}`)
  return logIn(appUrl, email, password)
}

/** An API key for `user`. */
export async function createKey(user: TestUser): Promise<string> {
  const res = await user.fetch('/api/keys', { method: 'POST', body: { name: 'team test' } })
  if (res.status !== 201) throw new Error(`create key failed: ${res.status}`)
  return (await res.json() as { key: string }).key
}

/** fetch with an API key only. */
export function withKey(appUrl: string, key: string, path: string, init: { method?: string, body?: unknown } = {}): Promise<Response> {
  return fetch(`${appUrl}${path}`, {
    method: init.method,
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
}
