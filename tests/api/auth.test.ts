// Accounts and the routes around the chat endpoint: sign-up, log-in, log-out, the session
// cookie, the model catalogue and the health check.
import { describe, expect, inject, it } from 'vitest'
import { ERRORS, LIMITS, MODELS } from '../../shared/contract/index.ts'
import { startAppServer, TEST_SESSION_PASSWORD } from '../../harness/app-server.ts'
import { cookieFrom, expectApiError, signUp, uniqueEmail, userFetch } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const SEVEN_DAYS_S = 7 * 24 * 60 * 60

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${appUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** The attributes of the neptun-session Set-Cookie header, lower-cased names. */
function sessionCookieAttributes(res: Response): Map<string, string> {
  const header = res.headers.getSetCookie().find(c => c.startsWith('neptun-session='))
  expect(header, 'a neptun-session Set-Cookie header').toBeDefined()
  const [, ...attributes] = header!.split(';').map(part => part.trim())
  return new Map(attributes.map((a) => {
    const [name, ...value] = a.split('=')
    return [name!.toLowerCase(), value.join('=')] as [string, string]
  }))
}

describe('sign-up', () => {
  it('answers 201 with the user and a neptun-session cookie: HttpOnly, SameSite=Lax, Path=/, valid 7 days', async () => {
    const email = uniqueEmail('signup')
    const res = await postJson('/api/auth/sign-up', { email, password: 'long enough password' })
    expect(res.status).toBe(201)
    const body = await res.json() as { user: { id: number, email: string } }
    expect(body).toEqual({ user: { id: expect.any(Number), email } })
    expect(JSON.stringify(body)).not.toMatch(/password|hash/i)

    const attributes = sessionCookieAttributes(res)
    expect(attributes.has('httponly')).toBe(true)
    expect(attributes.get('samesite')?.toLowerCase()).toBe('lax')
    expect(attributes.get('path')).toBe('/')
    const maxAge = attributes.get('max-age')
    const expires = attributes.get('expires')
    expect(maxAge !== undefined || expires !== undefined).toBe(true)
    if (maxAge !== undefined) expect(Math.abs(Number(maxAge) - SEVEN_DAYS_S)).toBeLessThanOrEqual(60)
    if (expires !== undefined) expect(Math.abs(Date.parse(expires) - Date.now() - SEVEN_DAYS_S * 1000)).toBeLessThanOrEqual(60_000)

    const me = await userFetch(appUrl, cookieFrom(res))('/api/auth/me')
    expect(me.status).toBe(200)
    // A new user has no last used model yet.
    expect(await me.json()).toEqual({ ...body, lastModel: null, admin: expect.any(Boolean), allowedModels: null })
  })

  it('marks the cookie Secure in production (the test server runs NODE_ENV=production)', async () => {
    const res = await postJson('/api/auth/sign-up', { email: uniqueEmail(), password: 'long enough password' })
    expect(sessionCookieAttributes(res).has('secure')).toBe(true)
  })

  it('stores the email lower-cased and trimmed, and answers 409 for a duplicate in any case', async () => {
    const local = uniqueEmail('Case').replace('@example.test', '')
    const res = await postJson('/api/auth/sign-up', { email: `  ${local.toUpperCase()}@Example.TEST `, password: 'long enough password' })
    expect(res.status).toBe(201)
    expect((await res.json() as { user: { email: string } }).user.email).toBe(`${local.toLowerCase()}@example.test`)
    for (const email of [`${local.toLowerCase()}@example.test`, `${local}@EXAMPLE.test`]) {
      await expectApiError(await postJson('/api/auth/sign-up', { email, password: 'another long password' }), 409, ERRORS.emailTaken)
    }
  })

  it('lets exactly one of two simultaneous sign-ups with the same email (different case) through', async () => {
    const email = uniqueEmail('race')
    const results = await Promise.all([email, email.toUpperCase()].map(e => postJson('/api/auth/sign-up', { email: e, password: 'long enough password' })))
    expect(results.map(r => r.status).sort()).toEqual([201, 409])
    await expectApiError(results.find(r => r.status === 409)!, 409, ERRORS.emailTaken)
  })

  it.each<[string, unknown, number, string | RegExp]>([
    ['a password shorter than the minimum', { email: uniqueEmail(), password: 'x'.repeat(LIMITS.minPasswordLength - 1) }, 400, ERRORS.passwordTooShort],
    ['a password longer than the maximum', { email: uniqueEmail(), password: 'x'.repeat(LIMITS.maxPasswordLength + 1) }, 400, ERRORS.passwordTooLong],
    ['no password', { email: uniqueEmail() }, 400, /.+/],
    ['a password that is not a string', { email: uniqueEmail(), password: 12345678 }, 400, /.+/],
    ['a bad email', { email: 'not-an-email', password: 'long enough password' }, 400, ERRORS.invalidEmail],
    ['an email without a domain', { email: 'someone@', password: 'long enough password' }, 400, ERRORS.invalidEmail],
    ['an email that is too long', { email: `${'a'.repeat(LIMITS.maxEmailLength)}@example.test`, password: 'long enough password' }, 400, ERRORS.invalidEmail],
    ['no email', { password: 'long enough password' }, 400, /.+/],
    ['an empty object', {}, 400, /.+/],
    ['JSON null', 'null', 400, /.+/],
    ['a JSON array', '[]', 400, /.+/],
    ['a body that is not JSON', '{"email":', 400, ERRORS.bodyNotJson],
    ['an empty body', '', 400, ERRORS.bodyNotJson],
  ])('answers %s with %i, never 500', async (_, body, status, message) => {
    await expectApiError(await postJson('/api/auth/sign-up', body), status, message)
  })

  it('answers 415 for a body that is not sent as JSON', async () => {
    const res = await fetch(`${appUrl}/api/auth/sign-up`, { method: 'POST', body: new URLSearchParams({ email: uniqueEmail(), password: 'long enough password' }) })
    await expectApiError(res, 415, ERRORS.unsupportedMediaType)
  })
})

describe('log-in', () => {
  it('answers 200 with a fresh cookie for the right password, whatever the email\'s case', async () => {
    const user = await signUp(appUrl)
    const res = await postJson('/api/auth/login', { email: user.email.toUpperCase(), password: user.password })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ user: { id: user.id, email: user.email } })
    const me = await userFetch(appUrl, cookieFrom(res))('/api/auth/me')
    expect(await me.json()).toEqual({ user: { id: user.id, email: user.email }, lastModel: null, admin: expect.any(Boolean), allowedModels: null })
  })

  it('answers 401 Invalid email or password alike for an unknown email and a wrong password', async () => {
    const user = await signUp(appUrl)
    const unknown = await expectApiError(await postJson('/api/auth/login', { email: uniqueEmail('nobody'), password: user.password }), 401, ERRORS.invalidCredentials)
    const wrong = await expectApiError(await postJson('/api/auth/login', { email: user.email, password: 'wrong password!' }), 401, ERRORS.invalidCredentials)
    expect(unknown).toBe(wrong)
    const short = await expectApiError(await postJson('/api/auth/login', { email: user.email, password: 'x' }), 401, ERRORS.invalidCredentials)
    expect(short).toBe(wrong)
  })

  it.each<[string, unknown, number]>([
    ['a body that is not JSON', '{', 400],
    ['an empty object', {}, 400],
    ['JSON null', 'null', 400],
    ['a password that is not a string', { email: 'a@example.test', password: 1 }, 400],
  ])('answers %s with %i, never 500', async (_, body, status) => {
    const res = await postJson('/api/auth/login', body)
    expect([status, 401]).toContain(res.status)
    await expectApiError(res, res.status, /.+/)
  })

  it('throttles repeated failures for one email with 429 and Retry-After, even for the right password', async () => {
    const user = await signUp(appUrl)
    let throttled: Response | undefined
    for (let i = 0; i < 20 && !throttled; i++) {
      const res = await postJson('/api/auth/login', { email: user.email, password: `wrong password ${i}` })
      if (res.status === 429) throttled = res
      else await expectApiError(res, 401, ERRORS.invalidCredentials)
    }
    expect(throttled, 'a 429 within 20 failures').toBeDefined()
    expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0)
    await expectApiError(throttled!, 429, ERRORS.loginThrottled)
    await expectApiError(await postJson('/api/auth/login', { email: user.email, password: user.password }), 429, ERRORS.loginThrottled)
    // The existing session is unaffected.
    expect((await user.fetch('/api/auth/me')).status).toBe(200)
  })
})

describe('log-out', () => {
  it('clears the cookie; the client then gets 401 from /api/auth/me', async () => {
    const user = await signUp(appUrl)
    const res = await user.fetch('/api/auth/logout', { method: 'POST' })
    expect(res.status).toBeLessThan(300)
    const header = res.headers.getSetCookie().find(c => c.startsWith('neptun-session='))
    expect(header).toBeDefined()
    const attributes = sessionCookieAttributes(res)
    const cleared = header!.startsWith('neptun-session=;') || attributes.get('max-age') === '0'
      || (attributes.has('expires') && Date.parse(attributes.get('expires')!) <= Date.now())
    expect(cleared, header).toBe(true)
    // What a browser keeps after that Set-Cookie: no session cookie.
    await expectApiError(await userFetch(appUrl, '')('/api/auth/me'), 401, ERRORS.unauthorized)
    const kept = header!.split(';')[0]!
    if (kept !== 'neptun-session=') await expectApiError(await userFetch(appUrl, kept)('/api/auth/me'), 401, ERRORS.unauthorized)
  })
})

describe('catalogue and health', () => {
  it('GET /api/ai/models returns the catalogue', async () => {
    const res = await fetch(`${appUrl}/api/ai/models`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(MODELS)))
  })

  it('GET /api/health reports the database up and the emulator as the AI', async () => {
    const res = await fetch(`${appUrl}/api/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, database: 'up', ai: 'emulator' })
  })
})

describe('configuration', () => {
  it('refuses to start when NUXT_SESSION_PASSWORD is shorter than 32 characters', async () => {
    const error = await startAppServer({ env: { NUXT_SESSION_PASSWORD: TEST_SESSION_PASSWORD.slice(0, 31) } }).then(
      async (server) => {
        await server.stop()
        return undefined
      },
      (error: Error) => error,
    )
    expect(error?.message).toMatch(/exited with [1-9]/)
    expect(error?.message).toContain('NUXT_SESSION_PASSWORD')
  })
})
