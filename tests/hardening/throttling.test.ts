// One user or one client against the shared limits, as an attacker would try them: guesses sent
// all at once, sign-up floods, spoofed X-Forwarded-For, the timing of an unknown email, and the
// tables the limits write to. The server sits behind one (simulated) proxy: TRUST_PROXY=1, so
// each request's rightmost X-Forwarded-For entry is its client address.
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULTS, ERRORS } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { signUp, uniqueEmail, type TestUser } from '../support/api-client.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { checkErrorShape, median } from './support.ts'

const SIGNUPS_PER_IP = 3
const SIGNUPS_PER_HOUR = 4

let pg: TestPostgres
let sql: postgres.Sql
/** On PostgreSQL, behind one trusted proxy, log-in throttle at its defaults, SIGNUPS_PER_IP sign-ups per address. */
let app: AppServer
/** SIGNUPS_PER_HOUR sign-ups an hour for everyone together. */
let signUps: AppServer
let nextAddress = 1
/** Resolves to the error if the stale rows could not be written (a schema without those tables). */
let staleRows: Promise<Error | undefined>

/** A client address of its own, for requests that must not share a bucket. */
const freshAddress = () => `10.${(nextAddress >> 8) & 255}.${nextAddress++ & 255}.1`
/** A user signed up from an address of its own. */
const newUser = () => signUp(app.url, undefined, undefined, { 'x-forwarded-for': freshAddress() })

beforeAll(async () => {
  pg = await startPostgres()
  sql = postgres(pg.url, { max: 2, onnotice: () => {} })
  app = await startAppServer({ databaseUrl: pg.url, env: { TRUST_PROXY: '1', SIGNUP_RATE_LIMIT_PER_IP: String(SIGNUPS_PER_IP) } })
  // Rows whose time is up, written before the first request that counts anything: that request prunes them.
  staleRows = sql.begin(async (tx) => {
    await tx`insert into rate_limits (key, window_start, expires_at, count) values ('stale:window', now() - interval '2 hours', now() - interval '1 hour', 3)`
    await tx`insert into revoked_sessions (id, expires_at) values ('stale-session', now() - interval '1 minute')`
    await tx`insert into generation_stops (id, user_id, created_at) values ('stale-stop', 1, now() - interval '10 minutes')`
  }).then(() => undefined, (error: Error) => error)
  await staleRows
  signUps = await startAppServer({ env: { SIGNUP_RATE_LIMIT_PER_HOUR: String(SIGNUPS_PER_HOUR) } })
})

afterAll(async () => {
  await Promise.all([app?.stop(), signUps?.stop()])
  await sql?.end()
  pg?.stop()
})

function post(server: AppServer, path: string, body: unknown, address?: string) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(address ? { 'x-forwarded-for': address } : {}) },
    body: JSON.stringify(body),
  })
}

const login = (email: string, password: string, address = freshAddress()) => post(app, '/api/auth/login', { email, password }, address)

async function expect429(res: Response, message: string, maxRetryAfter: number) {
  const text = await res.text()
  expect(res.status, text).toBe(429)
  expect(checkErrorShape(429, res.headers.get('content-type'), text)).toBeUndefined()
  expect(JSON.parse(text).statusMessage).toBe(message)
  const retryAfter = Number(res.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThan(0)
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter)
}

describe('the tables the limits write to', () => {
  it('rows whose time is up are pruned: ended rate-limit windows, revocations of expired sessions, stale stop requests', async () => {
    expect(await staleRows).toBeUndefined()
    await newUser()
    let left: readonly unknown[] = []
    for (let i = 0; i < 50; i++) {
      left = await sql`select 1 from rate_limits where key = 'stale:window' union all select 1 from revoked_sessions where id = 'stale-session' union all select 1 from generation_stops where id = 'stale-stop'`
      if (!left.length) break
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(left).toEqual([])
  })
})

describe('log-in throttle', () => {
  it(`sixty wrong passwords for one email sent at once: ${DEFAULTS.loginFailuresPerAccount} are judged (401), the rest refused (429)`, async () => {
    const user = await newUser()
    // From sixty addresses, so only the per-account limit applies.
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => login(user.email, `wrong password ${i}`).then(res => res.status)))
    const counts = Object.fromEntries([401, 429].map(status => [status, statuses.filter(s => s === status).length]))
    console.log(`[throttling] 60 concurrent wrong passwords: ${counts[401]} × 401, ${counts[429]} × 429`)
    expect(counts).toEqual({ 401: DEFAULTS.loginFailuresPerAccount, 429: 60 - DEFAULTS.loginFailuresPerAccount })
    await expect429(await login(user.email, user.password), ERRORS.loginThrottled, DEFAULTS.loginWindowMinutes * 60)
  })

  it('a right password gives its attempt back: only failures use up the limit', async () => {
    const user = await newUser()
    for (let i = 1; i < DEFAULTS.loginFailuresPerAccount; i++) expect((await login(user.email, `wrong ${i}`)).status).toBe(401)
    for (let i = 0; i < 5; i++) expect((await login(user.email, user.password)).status).toBe(200)
    expect((await login(user.email, 'the last wrong one')).status).toBe(401)
    await expect429(await login(user.email, user.password), ERRORS.loginThrottled, DEFAULTS.loginWindowMinutes * 60)
  })

  it('an email with a lone surrogate (which the database stores replaced) is judged and counted like any other, never a 500', async () => {
    const email = `\ud800${uniqueEmail('surrogate')}`
    for (let i = 0; i < DEFAULTS.loginFailuresPerAccount; i++) expect((await login(email, `wrong ${i}`)).status).toBe(401)
    await expect429(await login(email, 'wrong again'), ERRORS.loginThrottled, DEFAULTS.loginWindowMinutes * 60)
  })

  it('an unknown email takes as long as a wrong password: both check one scrypt hash', async () => {
    const known = await Promise.all(Array.from({ length: 9 }, newUser))
    const time = async (email: string) => {
      const started = performance.now()
      expect((await login(email, 'not the password')).status).toBe(401)
      return performance.now() - started
    }
    const unknownMs: number[] = []
    const knownMs: number[] = []
    for (const user of known) {
      unknownMs.push(await time(uniqueEmail('nobody')))
      knownMs.push(await time(user.email))
    }
    const ratio = median(unknownMs) / median(knownMs)
    console.log(`[throttling] failed log-in, median: unknown email ${median(unknownMs).toFixed(1)} ms, wrong password ${median(knownMs).toFixed(1)} ms (ratio ${ratio.toFixed(2)})`)
    expect(ratio).toBeGreaterThan(0.6)
  })

  it('POST /api/auth/password: a current password over the length limit is a 400; guesses share the account\'s budget (429)', async () => {
    const user = await newUser()
    const change = (currentPassword: string) => user.fetch('/api/auth/password', { method: 'POST', body: { currentPassword, newPassword: 'a brand new password' }, headers: { 'x-forwarded-for': freshAddress() } })
    const long = await change('x'.repeat(100_000))
    expect(long.status).toBe(400)
    expect(((await long.json()) as { statusMessage: string }).statusMessage).toBe(ERRORS.invalidCredentials)
    const statuses = await Promise.all(Array.from({ length: 15 }, (_, i) => change(`wrong ${i}`).then(res => res.status)))
    expect(statuses.filter(s => s === 401)).toHaveLength(DEFAULTS.loginFailuresPerAccount)
    await expect429(await change(user.password), ERRORS.passwordThrottled, DEFAULTS.loginWindowMinutes * 60)
    await expect429(await login(user.email, user.password), ERRORS.loginThrottled, DEFAULTS.loginWindowMinutes * 60)
  })
})

describe('client address behind TRUST_PROXY=1', () => {
  it('is the rightmost X-Forwarded-For entry: addresses the client writes to its left change nothing', async () => {
    const address = freshAddress()
    let throttledAt = 0
    for (let i = 1; i <= DEFAULTS.loginFailuresPerIp + 1 && !throttledAt; i++) {
      const res = await login(uniqueEmail('guess'), 'not the password', address)
      if (res.status === 429) throttledAt = i
      else expect(res.status).toBe(401)
    }
    expect(throttledAt).toBe(DEFAULTS.loginFailuresPerIp + 1)
    for (const spoofed of [`203.0.113.7, ${address}`, `1.1.1.1, 2.2.2.2, ${address}`, `garbage, ${address}`]) {
      await expect429(await login(uniqueEmail('guess'), 'nope', spoofed), ERRORS.loginThrottled, DEFAULTS.loginWindowMinutes * 60)
    }
    // Another client behind the same proxy is not locked out.
    expect((await login(uniqueEmail('other'), 'nope', freshAddress())).status).toBe(401)
  })

  it('IPv6 clients count by their /64: changing the low bits does not give a fresh bucket', async () => {
    for (let i = 0; i < SIGNUPS_PER_IP; i++) expect((await post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, `2001:db8:aa:bb::${i + 1}`)).status).toBe(201)
    await expect429(await post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, '2001:db8:aa:bb:ffff:1:2:3'), ERRORS.signUpThrottled, 3600)
    expect((await post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, '2001:db8:aa:cc::1')).status).toBe(201)
  })
})

describe('sign-up throttle', () => {
  it(`${SIGNUPS_PER_IP} sign-ups per client address per hour, then 429 with Retry-After; other addresses go on`, async () => {
    const address = freshAddress()
    const statuses = await Promise.all(Array.from({ length: 10 }, () => post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, address).then(res => res.status)))
    expect(statuses.filter(s => s === 201)).toHaveLength(SIGNUPS_PER_IP)
    expect(statuses.filter(s => s === 429)).toHaveLength(10 - SIGNUPS_PER_IP)
    await expect429(await post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, `9.9.9.9, ${address}`), ERRORS.signUpThrottled, 3600)
    expect((await post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, freshAddress())).status).toBe(201)
    // Bad input is refused before it counts.
    const other = freshAddress()
    for (let i = 0; i < 5; i++) expect((await post(app, '/api/auth/sign-up', { email: 'not an email', password: 'long enough pw' }, other)).status).toBe(400)
    expect((await post(app, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }, other)).status).toBe(201)
  })

  it(`${SIGNUPS_PER_HOUR} sign-ups an hour for everyone together (SIGNUP_RATE_LIMIT_PER_HOUR), whatever the addresses`, async () => {
    const statuses = await Promise.all(Array.from({ length: 8 }, () => post(signUps, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }).then(res => res.status)))
    expect(statuses.filter(s => s === 201)).toHaveLength(SIGNUPS_PER_HOUR)
    await expect429(await post(signUps, '/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough pw' }), ERRORS.signUpThrottled, 3600)
  })
})

describe('log-out', () => {
  it('revokes that session: a copy of its cookie is refused, the user\'s other sessions stay signed in', async () => {
    const user: TestUser = await newUser()
    const other = await login(user.email, user.password)
    expect(other.status).toBe(200)
    const otherCookie = other.headers.getSetCookie().find(c => c.startsWith('neptun-session='))!.split(';')[0]!
    const copy = user.cookie
    expect((await user.fetch('/api/auth/logout', { method: 'POST' })).status).toBe(204)
    for (const path of ['/api/auth/me', '/api/chats']) {
      const res = await fetch(`${app.url}${path}`, { headers: { cookie: copy } })
      expect(res.status).toBe(401)
    }
    expect((await fetch(`${app.url}/api/auth/me`, { headers: { cookie: otherCookie } })).status).toBe(200)
    // Logging out again with the dead cookie is harmless.
    expect((await fetch(`${app.url}/api/auth/logout`, { method: 'POST', headers: { cookie: copy } })).status).toBe(204)
  })
})

describe('logs', () => {
  it('an unexpected database error is logged without the query\'s parameters or the database\'s message', async () => {
    const canary = `leak-canary-${Date.now()}`
    await sql.unsafe(`create or replace function refuse_canary() returns trigger language plpgsql as $$
      begin if new.title like 'leak-canary%' then raise exception 'refused %', new.title; end if; return new; end $$`)
    await sql.unsafe(`create trigger refuse_canary before insert on chats for each row execute function refuse_canary()`)
    const user = await newUser()
    const res = await user.fetch('/api/chats', { method: 'POST', body: { title: canary, messages: [{ role: 'user', content: `${canary}-message` }] } })
    expect(res.status).toBe(500)
    const logs = app.logs()
    expect(logs).toMatch(/\[api\] unhandled error POST \/api\/chats/)
    expect(logs).toMatch(/SQLSTATE P0001/)
    expect(logs).not.toContain(canary)
    expect(logs).not.toContain(user.email)
  })
})
