// PostgreSQL stopped under a running server: every request answers 503 with a clear message
// (never a 500, never a hang), no user message is acknowledged unless it is stored, and the
// service recovers on its own once the database is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERRORS, type ChatWithMessages, type HealthStatus } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { directive, marker, signUp, uniqueEmail, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { controlPostgres, startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { boundedFetch, chatTurn, checkErrorShape, sleep, storedChat } from './support.ts'

/** No request may take longer than this while the database is down (postgres.js connect_timeout is 5 s). */
const REQUEST_BOUND_MS = 10_000

let pg: TestPostgres
let emulator: Emulator
let app: AppServer
let user: TestUser
let chatId: number
let secondChatId: number

/** What a chat request got, by its unique content marker. */
const chatOutcomes = new Map<string, number>()

beforeAll(async () => {
  pg = await startPostgres()
  emulator = await startEmulator({ tokenDelayMs: 2 })
  // An answer the database cannot take is kept for 2 s here, not 2 minutes (answer-outage.test.ts
  // covers the outage it outlasts), so the answer below gives up while the database stays down.
  app = await startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env: { CHAT_STORE_RETRY_MS: '2000' } })
  user = await signUp(app.url)
  chatId = (await user.createChat('outage')).id
  secondChatId = (await user.createChat('second')).id
})

afterAll(async () => {
  await app?.stop()
  await emulator?.close()
  pg?.stop()
})

function stopDb() {
  controlPostgres(pg.cluster, 'stop')
}
function startDb() {
  controlPostgres(pg.cluster, 'start')
}

/** One chat turn with a unique marker; records the status it got. */
async function chatOnce(label: string, chat = chatId) {
  const id = marker(label)
  const turn = await chatTurn(app.url, user.cookie, chat, `Outage check ${id}`, { timeoutMs: REQUEST_BOUND_MS + 5000 })
  chatOutcomes.set(id, turn.status)
  return { id, turn }
}

/** Every API request the outage test sends, with the cookie of a signed-up user. */
function apiRequests(): { name: string, path: string, init: RequestInit }[] {
  const json = { 'content-type': 'application/json', cookie: user.cookie }
  return [
    { name: 'GET /api/auth/me', path: '/api/auth/me', init: { headers: json } },
    { name: 'GET /api/chats', path: '/api/chats', init: { headers: json } },
    { name: 'POST /api/chats', path: '/api/chats', init: { method: 'POST', headers: json, body: JSON.stringify({ title: 'during outage' }) } },
    { name: 'GET /api/chats/:id', path: `/api/chats/${chatId}`, init: { headers: json } },
    { name: 'PATCH /api/chats/:id', path: `/api/chats/${chatId}`, init: { method: 'PATCH', headers: json, body: JSON.stringify({ title: 'renamed in outage' }) } },
    { name: 'DELETE /api/chats/:id', path: `/api/chats/${secondChatId}`, init: { method: 'DELETE', headers: json } },
    { name: 'DELETE /api/chats/:id/messages', path: `/api/chats/${chatId}/messages?from=1`, init: { method: 'DELETE', headers: json } },
    { name: 'POST /api/auth/login', path: '/api/auth/login', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) } },
    { name: 'POST /api/auth/sign-up', path: '/api/auth/sign-up', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: uniqueEmail('outage'), password: 'long enough password' }) } },
    { name: 'POST /api/auth/logout-all', path: '/api/auth/logout-all', init: { method: 'POST', headers: json } },
    { name: 'POST /api/auth/password', path: '/api/auth/password', init: { method: 'POST', headers: json, body: JSON.stringify({ currentPassword: user.password, newPassword: 'another long password' }) } },
    { name: 'POST /api/generations/:id/stop', path: '/api/generations/00000000-0000-4000-8000-000000000000/stop', init: { method: 'POST', headers: json } },
  ]
}

async function expect503(res: Response, what: string, started: number) {
  const text = await res.text()
  expect(res.status, `${what}: ${text}`).toBe(503)
  expect(checkErrorShape(503, res.headers.get('content-type'), text), what).toBeUndefined()
  expect(JSON.parse(text).statusMessage, what).toBe(ERRORS.databaseUnavailable)
  expect(performance.now() - started, `${what} took too long`).toBeLessThan(REQUEST_BOUND_MS)
}

describe('PostgreSQL stopped under a running server', () => {
  it('works before the outage', async () => {
    const { turn } = await chatOnce('before')
    expect(turn.status).toBe(200)
    expect(turn.sawFinish).toBe(true)
    const health = await boundedFetch(`${app.url}/api/health`)
    expect(health.status).toBe(200)
  })

  it('an answer streaming when the database goes away, and stays away, ends with an error part, not a finish', async () => {
    const id = marker('streaming')
    const pending = chatTurn(app.url, user.cookie, chatId, `Long one ${id} ${directive({ tokens: 60, tokenDelayMs: 25 })}`, { timeoutMs: 30_000 })
    await emulator.waitFor(r => JSON.stringify(r.body).includes(id) && r.tokensSent >= 5)
    stopDb()
    const turn = await pending
    chatOutcomes.set(id, turn.status)
    expect(turn.status).toBe(200)
    // The answer could not be stored: the client must not be told it was.
    expect(turn.sawFinish).toBe(false)
    expect(turn.errorText).toBe(ERRORS.answerNotSaved)
  })

  it('chat requests answer 503 with the JSON error, never 500 and never a hang', async () => {
    for (let i = 0; i < 5; i++) {
      const started = performance.now()
      const { turn } = await chatOnce(`down-${i}`)
      expect(turn.status, turn.body).toBe(503)
      expect(checkErrorShape(503, turn.headers.get('content-type'), turn.body ?? '')).toBeUndefined()
      expect(JSON.parse(turn.body!).statusMessage).toBe(ERRORS.databaseUnavailable)
      expect(turn.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(performance.now() - started).toBeLessThan(REQUEST_BOUND_MS)
    }
  })

  it('every other API route answers 503 the same way', async () => {
    const requests = apiRequests()
    console.log(`[outage] ${requests.length} API routes checked while PostgreSQL is down`)
    for (const { name, path, init } of requests) {
      const started = performance.now()
      await expect503(await boundedFetch(`${app.url}${path}`, init, REQUEST_BOUND_MS + 5000), name, started)
    }
  })

  it('concurrent requests during the outage each answer 503 within the bound, too', async () => {
    // A pool that backs off after failed connects must not make requests queue for many seconds.
    const timings = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const started = performance.now()
      const res = await boundedFetch(`${app.url}${i % 2 ? '/api/chats' : `/api/chats/${chatId}`}`, { headers: { cookie: user.cookie } }, 30_000)
        .catch(() => undefined)
      const elapsed = performance.now() - started
      return { status: res?.status ?? 0, text: await res?.text(), contentType: res?.headers.get('content-type') ?? null, elapsed }
    }))
    console.log(`[outage] 20 concurrent requests: ${timings.map(t => `${t.status || 'none'}:${Math.round(t.elapsed)}ms`).join(' ')}`)
    for (const { status, text, contentType, elapsed } of timings) {
      expect(status, text).toBe(503)
      expect(checkErrorShape(503, contentType, text ?? '')).toBeUndefined()
      expect(elapsed, 'a request waited longer than the bound while the database was down').toBeLessThan(REQUEST_BOUND_MS)
    }
  })

  it('/api/health answers 503 and says the database is down', async () => {
    const res = await boundedFetch(`${app.url}/api/health`, {}, REQUEST_BOUND_MS)
    expect(res.status).toBe(503)
    expect(await res.json() as HealthStatus).toMatchObject({ ok: false, database: 'down' })
  })

  it('concurrent chat requests while the database comes back: none hangs or fails with 500', async () => {
    // Requests keep coming while PostgreSQL restarts; each one is bounded.
    const burst = Array.from({ length: 10 }, (_, i) => chatOnce(`burst-${i}`))
    await sleep(200)
    startDb()
    const results = await Promise.all(burst)
    console.log(`[outage] chat requests across the restart: ${results.map(({ turn }) => `${turn.status || 'none'} in ${Math.round(turn.elapsedMs)} ms`).join(', ')}`)
    for (const { turn } of results) {
      expect([200, 503], turn.body).toContain(turn.status)
      expect(turn.elapsedMs, 'a chat request took longer than the bound').toBeLessThan(REQUEST_BOUND_MS)
    }
  })

  it('recovers without a restart: health, log-in, chats and chat turns work again', async () => {
    const deadline = Date.now() + 20_000
    for (;;) {
      const res = await boundedFetch(`${app.url}/api/health`).catch(() => undefined)
      if (res?.status === 200) break
      if (Date.now() > deadline) throw new Error('server did not recover within 20 s of PostgreSQL starting')
      await sleep(200)
    }
    const login = await boundedFetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) })
    expect(login.status).toBe(200)
    const list = await user.fetch('/api/chats')
    expect(list.status).toBe(200)
    const { turn } = await chatOnce('after')
    expect(turn.status).toBe(200)
    expect(turn.sawFinish).toBe(true)
  })

  it('stored nothing that was not acknowledged, and everything that was', async () => {
    const stored = await storedChat(user, chatId) as ChatWithMessages
    const contents = stored.messages.filter(m => m.role === 'user').map(m => m.content)
    const acknowledged = [...chatOutcomes].filter(([, status]) => status === 200).map(([id]) => id)
    const refused = [...chatOutcomes].filter(([, status]) => status !== 200).map(([id]) => id)
    console.log(`[outage] chat requests: ${chatOutcomes.size}, acknowledged (200): ${acknowledged.length}, refused: ${refused.length}`)
    expect(refused.length).toBeGreaterThanOrEqual(5)
    for (const id of acknowledged) expect(contents.filter(c => c.includes(id)), `acknowledged ${id}`).toHaveLength(1)
    for (const id of refused) expect(contents.filter(c => c.includes(id)), `refused ${id}`).toHaveLength(0)
    // Nothing from the outage window changed the chats either.
    expect(stored.title).toBe('outage')
    const second = await user.fetch(`/api/chats/${secondChatId}`)
    expect(second.status).toBe(200)
  })
})
