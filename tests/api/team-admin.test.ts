// The admin: who is one (ADMIN_EMAILS, at request time), the admin routes' 401/403s, the user
// list, disabling (a cookie and an API key stop at their next request, on every instance),
// admins made and unmade, per-user model allow-lists and daily Neuron caps, deleting a user,
// and the audit log that records each of these.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_MODEL_NAME, ERRORS, LIVE_MODELS, TEAM_ERRORS, type AdminUser, type AuditEntry, type CurrentUser } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { expectApiError, readUiStream, signUp, uniqueEmail, userFetch, type TestUser } from '../support/api-client.ts'
import { createKey, createUserAs, logIn, startTeamServer, withKey, type TeamServer } from '../support/team.ts'

const PASSWORD = 'correct horse battery'
const OTHER_MODEL = LIVE_MODELS.find(model => model.name !== DEFAULT_MODEL_NAME)!.name
const adminEmail = uniqueEmail('admin')

let server: TeamServer
let admin: TestUser

beforeAll(async () => {
  // A global cap of 1 Neuron: one answer crosses it, so per-user caps are visible.
  server = await startTeamServer({ ADMIN_EMAILS: adminEmail, CHAT_DAILY_NEURON_LIMIT: '1' })
  // Someone signs up first, so the admin below is an admin through ADMIN_EMAILS alone.
  await signUp(server.url)
  admin = await signUp(server.url, adminEmail, PASSWORD)
})
afterAll(async () => server?.stop())

async function member(): Promise<TestUser> {
  return createUserAs(admin, server.url)
}

async function users(): Promise<AdminUser[]> {
  const res = await admin.fetch('/api/admin/users')
  expect(res.status).toBe(200)
  return res.json() as Promise<AdminUser[]>
}

function patchUser(id: number, body: Record<string, unknown>, as: TestUser = admin) {
  return as.fetch(`/api/admin/users/${id}`, { method: 'PATCH', body })
}

async function answer(user: TestUser, model: string = DEFAULT_MODEL_NAME): Promise<Response> {
  const chat = await user.createChat()
  return user.chat(chat.id, [{ role: 'user', content: 'Hello there' }], { model })
}

const ADMIN_ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users', { email: 'x@example.test', password: 'long enough 1' }],
  ['PATCH', '/api/admin/users/1', { disabled: true }],
  ['DELETE', '/api/admin/users/1'],
  ['GET', '/api/admin/invites'],
  ['POST', '/api/admin/invites', {}],
  ['DELETE', '/api/admin/invites/1'],
  ['GET', '/api/admin/audit'],
]

describe('admin routes', () => {
  it('answer 401 without a session and 403 to a signed-in non-admin, on every route, changing nothing', async () => {
    const plain = await member()
    const key = await createKey(plain)
    for (const [method, path, body] of ADMIN_ROUTES) {
      await expectApiError(await userFetch(server.url, '')(path, { method, body }), 401, ERRORS.unauthorized)
      await expectApiError(await plain.fetch(path, { method, body }), 403, TEAM_ERRORS.adminRequired)
      await expectApiError(await withKey(server.url, key, path, { method, body }), 403, TEAM_ERRORS.adminRequired)
    }
    expect((await users()).some(user => user.email === 'x@example.test')).toBe(false)
  })

  it('treat ADMIN_EMAILS as admins whatever their row says, and tell the page through /api/auth/me', async () => {
    const me = await (await admin.fetch('/api/auth/me')).json() as CurrentUser
    expect(me.admin).toBe(true)
    const listed = (await users()).find(user => user.email === adminEmail)!
    expect(listed).toMatchObject({ admin: true, adminByEnv: true })
    if (!server.queryStops) {
      const [row] = await server.query<{ is_admin: boolean }>('select is_admin from users where id = $1', [admin.id])
      expect(row!.is_admin).toBe(false)
    }
  })
})

describe('the user list', () => {
  it('shows email, sign-in methods, created, last active, chats, and tokens and Neurons this month', async () => {
    const user = await member()
    const res = await answer(user)
    expect(res.status).toBe(200)
    await readUiStream(res)
    const row = (await users()).find(entry => entry.id === user.id)!
    expect(row).toMatchObject({ email: user.email, admin: false, disabled: false, signInMethods: ['password'], chats: 1, dailyNeuronLimit: null, allowedModels: null })
    expect(row.tokensThisMonth).toBeGreaterThan(0)
    expect(row.neuronsThisMonth).toBeGreaterThan(0)
    expect(Date.parse(row.createdAt)).toBeLessThanOrEqual(Date.parse(row.lastActiveAt!))
    expect(Date.now() - Date.parse(row.lastActiveAt!)).toBeLessThan(60_000)
  })
})

describe('disabling a user', () => {
  let second: AppServer | undefined
  beforeAll(async () => {
    // Another instance on the same PostgreSQL, as behind a load balancer (PGlite is one process).
    if (inject('postgresUrl')) second = await startAppServer({ emulatorUrl: inject('emulatorUrl'), databaseUrl: inject('postgresUrl'), env: { ADMIN_EMAILS: adminEmail } })
  })
  afterAll(async () => second?.stop())

  it('stops their cookie and API key at the next request, on every instance, and refuses their log-in with 403', async () => {
    const user = await member()
    const key = await createKey(user)
    expect((await user.fetch('/api/chats')).status).toBe(200)
    expect((await withKey(server.url, key, '/api/chats')).status).toBe(200)
    if (second) expect((await userFetch(second.url, user.cookie)('/api/chats')).status).toBe(200)

    expect((await patchUser(user.id, { disabled: true })).status).toBe(204)
    await expectApiError(await user.fetch('/api/chats'), 403, TEAM_ERRORS.accountDisabled)
    await expectApiError(await withKey(server.url, key, '/api/chats'), 403, TEAM_ERRORS.accountDisabled)
    const openAi = await withKey(server.url, key, '/api/v1/models')
    expect(openAi.status).toBe(403)
    expect(await openAi.json()).toMatchObject({ error: { message: TEAM_ERRORS.accountDisabled } })
    if (second) {
      await expectApiError(await userFetch(second.url, user.cookie)('/api/chats'), 403, TEAM_ERRORS.accountDisabled)
      await expectApiError(await withKey(second.url, key, '/api/chats'), 403, TEAM_ERRORS.accountDisabled)
    }
    else expect(inject('database')).toBe('pglite')
    await expectApiError(await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) }), 403, TEAM_ERRORS.accountDisabled)
    // A wrong password still says only that: being disabled is no hint for guessers.
    await expectApiError(await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: 'wrong password' }) }), 401, ERRORS.invalidCredentials)
    expect((await users()).find(entry => entry.id === user.id)!.disabled).toBe(true)
  })

  it('when enabled again, lets them sign in and use their keys; sessions from before stay ended', async () => {
    const user = await member()
    const key = await createKey(user)
    expect((await patchUser(user.id, { disabled: true })).status).toBe(204)
    expect((await patchUser(user.id, { disabled: false })).status).toBe(204)
    expect((await withKey(server.url, key, '/api/chats')).status).toBe(200)
    await expectApiError(await user.fetch('/api/chats'), 401, ERRORS.unauthorized)
    const again = await logIn(server.url, user.email, user.password)
    expect((await again.fetch('/api/chats')).status).toBe(200)
  })
})

describe('admins made and unmade', () => {
  it('makes a user admin (the admin routes open) and unmakes them (403 again)', async () => {
    const user = await member()
    expect((await patchUser(user.id, { admin: true })).status).toBe(204)
    expect((await user.fetch('/api/admin/users')).status).toBe(200)
    // The new admin cannot demote an ADMIN_EMAILS admin: that is the environment's to change.
    await expectApiError(await patchUser(admin.id, { admin: false }, user), 409, TEAM_ERRORS.adminByEnv)
    expect((await patchUser(user.id, { admin: false })).status).toBe(204)
    await expectApiError(await user.fetch('/api/admin/users'), 403, TEAM_ERRORS.adminRequired)
  })

  it('refuses an admin disabling, demoting or deleting themselves with 409', async () => {
    const user = await member()
    expect((await patchUser(user.id, { admin: true })).status).toBe(204)
    await expectApiError(await patchUser(user.id, { disabled: true }, user), 409, TEAM_ERRORS.notOnYourself)
    await expectApiError(await patchUser(user.id, { admin: false }, user), 409, TEAM_ERRORS.notOnYourself)
    await expectApiError(await user.fetch(`/api/admin/users/${user.id}`, { method: 'DELETE' }), 409, TEAM_ERRORS.notOnYourself)
    expect((await user.fetch('/api/admin/users')).status).toBe(200)
  })

  it('answers 404 for an unknown user and 400 for a bad change', async () => {
    await expectApiError(await patchUser(999_999, { disabled: true }), 404, TEAM_ERRORS.userNotFound)
    await expectApiError(await patchUser(admin.id, {}), 400, TEAM_ERRORS.userPatchEmpty)
    await expectApiError(await patchUser(admin.id, { allowedModels: ['gpt-5'] }), 400, TEAM_ERRORS.allowedModelsInvalid)
    await expectApiError(await patchUser(admin.id, { dailyNeuronLimit: -5 }), 400, TEAM_ERRORS.neuronLimitInvalid)
  })
})

describe('models a user may use', () => {
  it('holds on the chat endpoint, the OpenAI-compatible API and its model list, with a 403', async () => {
    const user = await member()
    const key = await createKey(user)
    expect((await patchUser(user.id, { allowedModels: [DEFAULT_MODEL_NAME], dailyNeuronLimit: 0 })).status).toBe(204)
    const me = await (await user.fetch('/api/auth/me')).json() as CurrentUser
    expect(me.allowedModels).toEqual([DEFAULT_MODEL_NAME])

    await expectApiError(await answer(user, OTHER_MODEL), 403, TEAM_ERRORS.modelNotAllowed)
    const allowed = await answer(user)
    expect(allowed.status).toBe(200)
    await readUiStream(allowed)

    const models = await (await withKey(server.url, key, '/api/v1/models')).json() as { data: { id: string }[] }
    expect(models.data.map(model => model.id)).toEqual([DEFAULT_MODEL_NAME])
    const completion = (model: string) => withKey(server.url, key, '/api/v1/chat/completions', { method: 'POST', body: { model, messages: [{ role: 'user', content: 'Hi' }] } })
    const refused = await completion(OTHER_MODEL)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ error: { message: TEAM_ERRORS.modelNotAllowed, type: 'permission_error' } })
    expect((await completion(DEFAULT_MODEL_NAME)).status).toBe(200)

    expect((await patchUser(user.id, { allowedModels: null })).status).toBe(204)
    const free = await answer(user, OTHER_MODEL)
    expect(free.status).toBe(200)
    await readUiStream(free)
  })
})

describe('daily Neuron caps per user', () => {
  it('a user cap replaces CHAT_DAILY_NEURON_LIMIT: 0 lifts it, a higher one allows more, none keeps the global one', async () => {
    const [global, lifted, raised] = await Promise.all([member(), member(), member()])
    expect((await patchUser(lifted.id, { dailyNeuronLimit: 0 })).status).toBe(204)
    expect((await patchUser(raised.id, { dailyNeuronLimit: 1_000_000 })).status).toBe(204)
    for (const user of [global, lifted, raised]) {
      const first = await answer(user)
      expect(first.status).toBe(200)
      await readUiStream(first)
    }
    await expectApiError(await answer(global), 429, ERRORS.dailyNeuronLimit)
    for (const user of [lifted, raised]) {
      const second = await answer(user)
      expect(second.status).toBe(200)
      await readUiStream(second)
    }
    const usage = await (await raised.fetch('/api/usage')).json() as { dailyNeuronLimit: number | null }
    expect(usage.dailyNeuronLimit).toBe(1_000_000)
    // A cap lowered under today's spending applies at the next request.
    expect((await patchUser(raised.id, { dailyNeuronLimit: 1 })).status).toBe(204)
    await expectApiError(await answer(raised), 429, ERRORS.dailyNeuronLimit)
  })
})

describe('deleting a user', () => {
  it('deletes them and their chats; their cookie gets 401; a second delete is a 404', async () => {
    const user = await member()
    await user.createChat('theirs')
    expect((await admin.fetch(`/api/admin/users/${user.id}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await user.fetch('/api/chats'), 401, ERRORS.unauthorized)
    expect((await users()).some(entry => entry.id === user.id)).toBe(false)
    await expectApiError(await admin.fetch(`/api/admin/users/${user.id}`, { method: 'DELETE' }), 404, TEAM_ERRORS.userNotFound)
  })
})

describe('the audit log', () => {
  it('records every admin action with actor, action, target and details, newest first', async () => {
    const email = uniqueEmail('audited')
    expect((await admin.fetch('/api/admin/users', { method: 'POST', body: { email, password: PASSWORD } })).status).toBe(201)
    const user = (await users()).find(entry => entry.email === email)!
    expect((await patchUser(user.id, { disabled: true })).status).toBe(204)
    expect((await patchUser(user.id, { disabled: false, allowedModels: [DEFAULT_MODEL_NAME] })).status).toBe(204)
    expect((await patchUser(user.id, { dailyNeuronLimit: 50, admin: true })).status).toBe(204)
    expect((await patchUser(user.id, { admin: false })).status).toBe(204)
    const invite = await (await admin.fetch('/api/admin/invites', { method: 'POST', body: {} })).json() as { id: number }
    expect((await admin.fetch(`/api/admin/invites/${invite.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await admin.fetch(`/api/admin/users/${user.id}`, { method: 'DELETE' })).status).toBe(204)
    // A refused action is not an action.
    await patchUser(admin.id, { admin: false })

    const log = await (await admin.fetch('/api/admin/audit')).json() as AuditEntry[]
    const mine = log.filter(entry => entry.target === email || (entry.action.startsWith('invite.') && entry.details.inviteId === invite.id)).reverse()
    expect(mine.map(entry => entry.action)).toEqual([
      'user.create', 'user.disable', 'user.enable', 'user.set_allowed_models', 'user.make_admin', 'user.set_daily_neuron_limit',
      'user.remove_admin', 'invite.create', 'invite.revoke', 'user.delete',
    ])
    expect(mine.every(entry => entry.actor === adminEmail)).toBe(true)
    expect(mine.find(entry => entry.action === 'user.set_allowed_models')!.details).toEqual({ allowedModels: [DEFAULT_MODEL_NAME] })
    expect(mine.find(entry => entry.action === 'user.set_daily_neuron_limit')!.details).toEqual({ dailyNeuronLimit: 50 })
    expect(log.some(entry => entry.action === 'user.remove_admin' && entry.target === adminEmail)).toBe(false)
    expect(Date.parse(log[0]!.at)).toBeGreaterThanOrEqual(Date.parse(log.at(-1)!.at))
  })
})
