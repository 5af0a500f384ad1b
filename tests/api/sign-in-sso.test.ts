// Single sign-on against providers the test starts itself: an OpenID Connect provider
// (oauth2-mock-server) and a fake of GitHub's endpoints, each behind an app server of its own
// (the suite's server has none configured). On PostgreSQL they share the suite's database.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, type SignInMethods } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { cookieHeader, keepCookies, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startFakeGitHub, startMockOidcProvider, type FakeGitHub, type MockOidcProvider } from '../../harness/sso-providers.ts'
import { expectApiError, signUp, uniqueEmail, userFetch } from '../support/api-client.ts'

const databaseUrl = inject('postgresUrl') || undefined
let oidc: MockOidcProvider
let github: FakeGitHub
/** OpenID Connect and GitHub configured, passwords on. */
let app: AppServer
/** AUTH_PASSWORD=false and AUTH_SSO_SIGNUP=false: single sign-on into existing accounts only. */
let ssoOnly: AppServer
/** SIGNUP_MODE=closed, AUTH_SSO_SIGNUP unset: single sign-on makes accounts as sign-up does. */
let closed: AppServer
/** SIGNUP_MODE=invite and AUTH_SSO_SIGNUP=true: the provider decides who joins. */
let invitedBySso: AppServer
/** The invitedBySso server's admin, by ADMIN_EMAILS (who may sign up in any mode). */
const ssoAdminEmail = uniqueEmail('sso-admin')

beforeAll(async () => {
  [oidc, github] = await Promise.all([startMockOidcProvider(), startFakeGitHub()])
  const providers = {
    OIDC_ISSUER: oidc.issuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME: 'Test IdP',
    NUXT_OAUTH_GITHUB_CLIENT_ID: 'gh-client', NUXT_OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret-value',
    NUXT_OAUTH_GITHUB_SERVER_URL: github.url, NUXT_OAUTH_GITHUB_API_URL: github.url,
  }
  ;[app, ssoOnly, closed, invitedBySso] = await Promise.all([
    startAppServer({ databaseUrl, env: providers }),
    startAppServer({ databaseUrl, env: { ...providers, AUTH_PASSWORD: 'false', AUTH_SSO_SIGNUP: 'false' } }),
    startAppServer({ databaseUrl, env: { ...providers, SIGNUP_MODE: 'closed' } }),
    startAppServer({ databaseUrl, env: { ...providers, SIGNUP_MODE: 'invite', AUTH_SSO_SIGNUP: 'true', ADMIN_EMAILS: ssoAdminEmail } }),
  ])
})

afterAll(async () => {
  await Promise.all([app?.stop(), ssoOnly?.stop(), closed?.stop(), invitedBySso?.stop()])
  await Promise.all([oidc?.stop(), github?.stop()])
})

interface RoundTrip {
  /** Where the app sent the browser at the start (the provider's authorize URL). */
  authorizeUrl: URL
  /** Where the app sent the browser at the end. */
  location: string
  cookies: Map<string, string>
}

/**
 * A browser's round trip: the app's SSO route, the provider (which answers at once, as after
 * the user agreed), back to the app. `tamper` changes the provider's answer on its way back.
 */
async function roundTrip(server: AppServer, path: string, options: { tamper?: (callback: URL) => void, dropCookies?: boolean } = {}): Promise<RoundTrip> {
  const cookies = new Map<string, string>()
  const start = await fetch(`${server.url}${path}`, { redirect: 'manual' })
  expect(start.status).toBe(302)
  keepCookies(cookies, start)
  const authorizeUrl = new URL(start.headers.get('location')!)
  const atProvider = await fetch(authorizeUrl, { redirect: 'manual' })
  expect(atProvider.status).toBe(302)
  const callback = new URL(atProvider.headers.get('location')!)
  expect(callback.origin).toBe(server.url)
  options.tamper?.(callback)
  const back = await fetch(callback, { redirect: 'manual', headers: options.dropCookies ? {} : { cookie: cookieHeader(cookies) } })
  expect(back.status).toBe(302)
  keepCookies(cookies, back)
  return { authorizeUrl, location: back.headers.get('location')!, cookies }
}

/** The signed-in user of a round trip, or undefined when it left no session. */
async function signedInUser(server: AppServer, trip: RoundTrip): Promise<{ id: number, email: string } | undefined> {
  const session = trip.cookies.get('neptun-session')
  if (!session) return undefined
  const me = await userFetch(server.url, `neptun-session=${session}`)('/api/auth/me')
  expect(me.status).toBe(200)
  return (await me.json() as { user: { id: number, email: string } }).user
}

describe('OpenID Connect', () => {
  it('signs a new user in through the authorization code flow with PKCE, state and nonce, and lands on ?redirect=', async () => {
    const email = uniqueEmail('oidc-new')
    oidc.signInAs({ subject: `sub-${email}`, email, emailVerified: true })
    const trip = await roundTrip(app, '/api/auth/sso/oidc?redirect=/usage')
    const asked = trip.authorizeUrl.searchParams
    expect(trip.authorizeUrl.origin).toBe(oidc.issuer)
    expect(asked.get('response_type')).toBe('code')
    expect(asked.get('client_id')).toBe(OIDC_CLIENT_ID)
    expect(asked.get('code_challenge_method')).toBe('S256')
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(asked.get('state')).toMatch(/^[\w-]{20,}$/)
    expect(asked.get('nonce')).toMatch(/^[\w-]{20,}$/)
    expect(asked.get('scope')!.split(' ')).toContain('openid')
    expect(trip.location).toBe('/usage')
    const user = await signedInUser(app, trip)
    expect(user?.email).toBe(email)

    // The same account at the provider comes back to the same user, whatever its email is now.
    oidc.signInAs({ subject: `sub-${email}`, email: uniqueEmail('oidc-renamed'), emailVerified: true })
    const again = await roundTrip(app, '/api/auth/sso/oidc?redirect=//evil.example')
    expect(again.location).toBe('/')
    expect((await signedInUser(app, again))?.id).toBe(user!.id)
  })

  it('refuses an answer whose state is not this browser\'s, or that comes without the attempt\'s cookie', async () => {
    const email = uniqueEmail('oidc-state')
    oidc.signInAs({ subject: `sub-${email}`, email, emailVerified: true })
    const forged = await roundTrip(app, '/api/auth/sso/oidc', { tamper: callback => callback.searchParams.set('state', 'forged-state-value-000000') })
    expect(forged.location).toBe('/login?sso_error=state')
    expect(forged.cookies.has('neptun-session')).toBe(false)
    const noCookie = await roundTrip(app, '/api/auth/sso/oidc', { dropCookies: true })
    expect(noCookie.location).toBe('/login?sso_error=state')
    expect(noCookie.cookies.has('neptun-session')).toBe(false)
  })

  it('refuses an ID token whose nonce is not the one asked for', async () => {
    const email = uniqueEmail('oidc-nonce')
    oidc.signInAs({ subject: `sub-${email}`, email, emailVerified: true, nonce: 'replayed-nonce' })
    const trip = await roundTrip(app, '/api/auth/sso/oidc')
    expect(trip.location).toBe('/login?sso_error=failed')
    expect(trip.cookies.has('neptun-session')).toBe(false)
  })

  it('links to the password account with the same verified email instead of making a second one', async () => {
    const password = await signUp(app.url, uniqueEmail('oidc-link'))
    oidc.signInAs({ subject: `sub-${password.email}`, email: password.email.toUpperCase(), emailVerified: true })
    const trip = await roundTrip(app, '/api/auth/sso/oidc')
    expect(trip.location).toBe('/')
    expect(await signedInUser(app, trip)).toEqual({ id: password.id, email: password.email })
    // The password still signs in too.
    const login = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: password.email, password: password.password }) })
    expect(login.status).toBe(200)
  })

  it('never links an unverified email to an account, nor makes an account with one', async () => {
    const password = await signUp(app.url, uniqueEmail('oidc-unverified'))
    oidc.signInAs({ subject: `sub-${password.email}`, email: password.email, emailVerified: false })
    const trip = await roundTrip(app, '/api/auth/sso/oidc')
    expect(trip.location).toBe('/login?sso_error=email_unverified')
    expect(trip.cookies.has('neptun-session')).toBe(false)

    const stranger = uniqueEmail('oidc-unverified-new')
    oidc.signInAs({ subject: `sub-${stranger}`, email: stranger, emailVerified: false })
    expect((await roundTrip(app, '/api/auth/sso/oidc')).location).toBe('/login?sso_error=email_unverified')
    // Had an account been made, signing up with that email would be a 409.
    expect((await signUp(app.url, stranger)).email).toBe(stranger)
  })
})

describe('GitHub', () => {
  it('signs in with GitHub\'s primary verified email and links by it', async () => {
    const password = await signUp(app.url, uniqueEmail('gh-link'))
    github.signInAs({ subject: '4201', email: password.email, emailVerified: true })
    const trip = await roundTrip(app, '/api/auth/sso/github?redirect=/settings')
    expect(trip.authorizeUrl.origin).toBe(github.url)
    expect(trip.authorizeUrl.pathname).toBe('/login/oauth/authorize')
    expect(trip.authorizeUrl.searchParams.get('scope')).toContain('user:email')
    expect(trip.location).toBe('/settings')
    expect((await signedInUser(app, trip))?.id).toBe(password.id)
  })

  it('does not link an unverified GitHub email', async () => {
    const password = await signUp(app.url, uniqueEmail('gh-unverified'))
    github.signInAs({ subject: '4202', email: password.email, emailVerified: false })
    const trip = await roundTrip(app, '/api/auth/sso/github')
    expect(trip.location).toBe('/login?sso_error=email_unverified')
    expect(trip.cookies.has('neptun-session')).toBe(false)
  })

  it('refuses an answer without this browser\'s state before asking GitHub for a token', async () => {
    github.signInAs({ subject: '4203', email: uniqueEmail('gh-state'), emailVerified: true })
    const before = github.tokenRequests()
    const noCookie = await roundTrip(app, '/api/auth/sso/github', { dropCookies: true })
    expect(noCookie.location).toBe('/login?sso_error=state')
    const forged = await roundTrip(app, '/api/auth/sso/github', { tamper: callback => callback.searchParams.set('state', 'forged') })
    expect(forged.location).toBe('/login?sso_error=state')
    expect(github.tokenRequests()).toBe(before)
    expect(forged.cookies.has('neptun-session')).toBe(false)
  })
})

describe('which ways in are offered', () => {
  it('names the configured providers and never a secret', async () => {
    const res = await fetch(`${app.url}/api/auth/methods`)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({
      password: true,
      passkeys: true,
      sso: [{ provider: 'github', name: 'GitHub', url: '/api/auth/sso/github' }, { provider: 'oidc', name: 'Test IdP', url: '/api/auth/sso/oidc' }],
    } satisfies SignInMethods)
    expect(text).not.toMatch(/secret|gh-client|neptun-test-client/)
  })

  it('answers 404 for a provider that is not configured (the suite\'s server has none)', async () => {
    for (const provider of ['oidc', 'github']) await expectApiError(await fetch(`${inject('appUrl')}/api/auth/sso/${provider}`, { redirect: 'manual' }), 404, ERRORS.ssoNotConfigured)
  })
})

describe('AUTH_PASSWORD=false', () => {
  it('answers 403 to password log-in and sign-up, and the pages show no password form', async () => {
    const body = JSON.stringify({ email: uniqueEmail('no-password'), password: 'correct horse battery' })
    for (const path of ['/api/auth/login', '/api/auth/sign-up']) {
      await expectApiError(await fetch(`${ssoOnly.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 403, ERRORS.passwordSignInDisabled)
    }
    expect((await (await fetch(`${ssoOnly.url}/api/auth/methods`)).json() as SignInMethods).password).toBe(false)
    for (const page of ['/login', '/signup']) {
      const html = await (await fetch(`${ssoOnly.url}${page}`)).text()
      expect(html).toContain('data-testid="sso-oidc"')
      expect(html).not.toContain('data-testid="password-input"')
    }
  })

  it('with AUTH_SSO_SIGNUP=false, makes no account for someone who has none', async () => {
    const email = uniqueEmail('sso-closed')
    oidc.signInAs({ subject: `sub-${email}`, email, emailVerified: true })
    const trip = await roundTrip(ssoOnly, '/api/auth/sso/oidc')
    expect(trip.location).toBe('/login?sso_error=signup_closed')
    expect(trip.cookies.has('neptun-session')).toBe(false)
  })
})

describe('single sign-on and SIGNUP_MODE', () => {
  it('makes no account on a closed server unless AUTH_SSO_SIGNUP=true, and still signs into existing ones', async () => {
    // The closed server's first account may always be made (its admin): make sure there is one.
    await fetch(`${closed.url}/api/auth/sign-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: uniqueEmail('closed-first'), password: 'correct horse battery' }) })

    const stranger = uniqueEmail('sso-stranger')
    oidc.signInAs({ subject: `sub-${stranger}`, email: stranger, emailVerified: true })
    const refused = await roundTrip(closed, '/api/auth/sso/oidc')
    expect(refused.location).toBe('/login?sso_error=signup_closed')
    expect(refused.cookies.has('neptun-session')).toBe(false)

    const member = uniqueEmail('sso-member')
    oidc.signInAs({ subject: `sub-${member}`, email: member, emailVerified: true })
    const joined = await roundTrip(invitedBySso, '/api/auth/sso/oidc')
    expect(joined.location).toBe('/')
    const me = await fetch(`${invitedBySso.url}/api/auth/me`, { headers: { cookie: cookieHeader(joined.cookies) } })
    expect(me.status).toBe(200)
    expect((await me.json() as { user: { email: string } }).user.email).toBe(member)

    // The member's account exists now (one database on PostgreSQL; on PGlite each server has its
    // own): on a server that shares it, the closed one signs them in without making anything.
    if (databaseUrl) {
      const again = await roundTrip(closed, '/api/auth/sso/oidc')
      expect(again.location).toBe('/')
      expect(again.cookies.has('neptun-session')).toBe(true)
    }
  })

  it('sends a disabled account back to the log-in page, with no session', async () => {
    const admin = await signUp(invitedBySso.url, ssoAdminEmail)
    const member = uniqueEmail('sso-disabled')
    oidc.signInAs({ subject: `sub-${member}`, email: member, emailVerified: true })
    expect((await roundTrip(invitedBySso, '/api/auth/sso/oidc')).location).toBe('/')
    const users = await (await admin.fetch('/api/admin/users')).json() as { id: number, email: string, signInMethods: string[] }[]
    const row = users.find(user => user.email === member)!
    expect(row.signInMethods).toEqual(['sso'])
    expect((await admin.fetch(`/api/admin/users/${row.id}`, { method: 'PATCH', body: { disabled: true } })).status).toBe(204)

    const refused = await roundTrip(invitedBySso, '/api/auth/sso/oidc')
    expect(refused.location).toBe('/login?sso_error=disabled')
    expect(refused.cookies.has('neptun-session')).toBe(false)
  })
})
