// Sign-up modes (SIGNUP_MODE=open|invite|closed) and single-use invite links: each mode on a
// server of its own; an invite works once, and a reused, expired, revoked or unknown one is
// refused with its own 4xx and creates nothing.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { TEAM_ERRORS, type AdminInvite, type CurrentUser, type SignUpInfo } from '../../shared/contract/index.ts'
import { expectApiError, signUp, sleep, uniqueEmail, type TestUser } from '../support/api-client.ts'
import { logIn, startTeamServer, type TeamServer } from '../support/team.ts'

const appUrl = inject('appUrl')
const PASSWORD = 'correct horse battery'

function postSignUp(url: string, body: Record<string, unknown>) {
  return fetch(`${url}/api/auth/sign-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

async function mode(url: string): Promise<SignUpInfo['mode']> {
  const res = await fetch(`${url}/api/auth/sign-up`)
  expect(res.status).toBe(200)
  return (await res.json() as SignUpInfo).mode
}

async function canLogIn(url: string, email: string): Promise<number> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
  await res.arrayBuffer()
  return res.status
}

describe('SIGNUP_MODE=open (the default)', () => {
  it('says so and lets anyone sign up', async () => {
    expect(await mode(appUrl)).toBe('open')
    const user = await signUp(appUrl)
    expect((await user.fetch('/api/auth/me')).status).toBe(200)
  })
})

describe('SIGNUP_MODE=closed', () => {
  let closed: TeamServer
  let first: TestUser
  beforeAll(async () => {
    // A database of its own: the first account on an empty one may always sign up.
    closed = await startTeamServer({ SIGNUP_MODE: 'closed' }, { fresh: true })
  })
  afterAll(async () => closed?.stop())

  it('lets the very first account sign up, as an admin, and then refuses everyone with 403', async () => {
    expect(await mode(closed.url)).toBe('closed')
    first = await signUp(closed.url)
    const me = await (await first.fetch('/api/auth/me')).json() as CurrentUser
    expect(me.admin).toBe(true)

    const email = uniqueEmail('closed')
    await expectApiError(await postSignUp(closed.url, { email, password: PASSWORD }), 403, TEAM_ERRORS.signUpClosed)
    expect(await canLogIn(closed.url, email)).toBe(401)
  })

  it('lets an admin create an account, which can sign in and is no admin', async () => {
    const email = uniqueEmail('made')
    const res = await first.fetch('/api/admin/users', { method: 'POST', body: { email, password: PASSWORD } })
    expect(res.status).toBe(201)
    const member = await logIn(closed.url, email, PASSWORD)
    expect((await (await member.fetch('/api/auth/me')).json() as CurrentUser).admin).toBe(false)
    await expectApiError(await first.fetch('/api/admin/users', { method: 'POST', body: { email, password: PASSWORD } }), 409, 'Email already registered')
  })
})

describe('an unknown SIGNUP_MODE', () => {
  let typo: TeamServer
  beforeAll(async () => {
    typo = await startTeamServer({ SIGNUP_MODE: 'invte' }, { fresh: true })
  })
  afterAll(async () => typo?.stop())

  it('closes sign-up rather than opening it', async () => {
    expect(await mode(typo.url)).toBe('closed')
  })
})

describe('SIGNUP_MODE=invite', () => {
  let server: TeamServer
  let admin: TestUser
  const adminEmail = uniqueEmail('invite-admin')

  beforeAll(async () => {
    server = await startTeamServer({ SIGNUP_MODE: 'invite', ADMIN_EMAILS: ` Someone@Else.test , ${adminEmail.toUpperCase()}` })
    // ADMIN_EMAILS may sign up without an invite (case-insensitively), so the admin can start.
    admin = await signUp(server.url, adminEmail, PASSWORD)
  })
  afterAll(async () => server?.stop())

  async function invite(hours?: number): Promise<AdminInvite & { token: string }> {
    const res = await admin.fetch('/api/admin/invites', { method: 'POST', body: hours === undefined ? {} : { expiresInHours: hours } })
    expect(res.status).toBe(201)
    const created = await res.json() as AdminInvite
    const url = new URL(created.url!)
    expect(url.pathname).toBe('/signup')
    return { ...created, token: url.searchParams.get('invite')! }
  }

  it('says so, and refuses a sign-up without an invite with 403', async () => {
    expect(await mode(server.url)).toBe('invite')
    const email = uniqueEmail('uninvited')
    await expectApiError(await postSignUp(server.url, { email, password: PASSWORD }), 403, TEAM_ERRORS.inviteRequired)
    expect(await canLogIn(server.url, email)).toBe(401)
  })

  it('creates an invite link with a token of at least 128 bits that expires in a week by default, stored hashed', async () => {
    const created = await invite()
    expect(created.token).toMatch(/^[\w-]{43}$/)
    const week = Date.parse(created.expiresAt) - Date.parse(created.createdAt)
    expect(Math.abs(week - 7 * 24 * 3600_000)).toBeLessThan(60_000)
    const listed = await (await admin.fetch('/api/admin/invites')).json() as AdminInvite[]
    const row = listed.find(entry => entry.id === created.id)
    expect(row).toMatchObject({ createdBy: adminEmail, usedAt: null, revokedAt: null })
    expect(JSON.stringify(listed)).not.toContain(created.token)
    if (!server.queryStops) {
      const stored = await server.query<{ token_hash: string }>('select token_hash from invites where id = $1', [created.id])
      expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/)
      expect(stored[0]!.token_hash).not.toContain(created.token)
    }
  })

  it('signs up once with an invite; the same link is then refused with 409 and creates nothing', async () => {
    const { token, id } = await invite()
    const email = uniqueEmail('invited')
    const res = await postSignUp(server.url, { email, password: PASSWORD, invite: token })
    expect(res.status).toBe(201)
    const again = uniqueEmail('second')
    await expectApiError(await postSignUp(server.url, { email: again, password: PASSWORD, invite: token }), 409, TEAM_ERRORS.inviteUsed)
    expect(await canLogIn(server.url, again)).toBe(401)
    const listed = await (await admin.fetch('/api/admin/invites')).json() as AdminInvite[]
    expect(listed.find(entry => entry.id === id)).toMatchObject({ usedBy: email })
  })

  it('keeps an invite usable when the sign-up fails for another reason (email taken)', async () => {
    const { token } = await invite()
    await expectApiError(await postSignUp(server.url, { email: adminEmail, password: PASSWORD, invite: token }), 409, 'Email already registered')
    expect((await postSignUp(server.url, { email: uniqueEmail('retry'), password: PASSWORD, invite: token })).status).toBe(201)
  })

  it('lets only one of two sign-ups at once use the same invite', async () => {
    const { token } = await invite()
    const results = await Promise.all([0, 1, 2].map(() => postSignUp(server.url, { email: uniqueEmail('race'), password: PASSWORD, invite: token })))
    expect(results.map(res => res.status).sort()).toEqual([201, 409, 409])
  })

  it('refuses an expired invite with 410', async () => {
    const { token } = await invite(1 / 3600) // one second
    await sleep(1500)
    const email = uniqueEmail('late')
    await expectApiError(await postSignUp(server.url, { email, password: PASSWORD, invite: token }), 410, TEAM_ERRORS.inviteExpired)
    expect(await canLogIn(server.url, email)).toBe(401)
  })

  it('refuses a revoked invite with 410, and an unknown one with 403', async () => {
    const { token, id } = await invite()
    expect((await admin.fetch(`/api/admin/invites/${id}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await postSignUp(server.url, { email: uniqueEmail('revoked'), password: PASSWORD, invite: token }), 410, TEAM_ERRORS.inviteRevoked)
    await expectApiError(await postSignUp(server.url, { email: uniqueEmail('forged'), password: PASSWORD, invite: 'x'.repeat(43) }), 403, TEAM_ERRORS.inviteInvalid)
    await expectApiError(await admin.fetch('/api/admin/invites/999999', { method: 'DELETE' }), 404, TEAM_ERRORS.inviteNotFound)
  })

  it('refuses invite lifetimes out of range with 400', async () => {
    for (const expiresInHours of [0, -1, 100_000, 'soon']) {
      await expectApiError(await admin.fetch('/api/admin/invites', { method: 'POST', body: { expiresInHours } }), 400, TEAM_ERRORS.inviteHoursInvalid)
    }
  })
})
