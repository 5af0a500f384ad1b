// Personal API keys: created once and shown once, stored as a hash, accepted as a Bearer token
// on every /api route in place of the session (same user, same ownership checks), refused with
// the API's 401 once revoked, unknown or malformed; sessions ending does not touch them.
import { createHash } from 'node:crypto'
import postgres from 'postgres'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { API_KEY_PREFIX, DEFAULTS, ERRORS, LIMITS, type ApiKeySummary, type ChatSummary, type ChatWithMessages, type CreatedApiKey } from '../../shared/contract/index.ts'
import { chatPath, expectApiError, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')

async function createKey(user: TestUser, name = 'laptop'): Promise<CreatedApiKey> {
  const res = await user.fetch('/api/keys', { method: 'POST', body: { name } })
  expect(res.status).toBe(201)
  return res.json() as Promise<CreatedApiKey>
}

/** fetch with nothing but the key: no cookie, no Origin. */
function withKey(key: string, path: string, init: { method?: string, body?: unknown, headers?: Record<string, string> } = {}) {
  return fetch(`${appUrl}${path}`, {
    method: init.method,
    headers: { authorization: `Bearer ${key}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
}

let alice: TestUser
let bob: TestUser
beforeAll(async () => {
  ;[alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
})

describe('managing keys', () => {
  it('creates a key with a recognisable prefix, answers it once, and lists it without the secret', async () => {
    const created = await createKey(alice, 'notebook')
    expect(created.key).toMatch(new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9_-]{43}$`))
    expect(created).toMatchObject({ name: 'notebook', prefix: created.key.slice(0, created.prefix.length), lastUsedAt: null })
    expect(created.prefix.length).toBeLessThan(16)

    const listed = await (await alice.fetch('/api/keys')).json() as ApiKeySummary[]
    const entry = listed.find(key => key.id === created.id)
    expect(entry).toEqual({ id: created.id, name: 'notebook', prefix: created.prefix, createdAt: created.createdAt, lastUsedAt: null })
    expect(JSON.stringify(listed)).not.toContain(created.key.slice(created.prefix.length))
  })

  it('stores only a SHA-256 of the key', async () => {
    const database = inject('postgresUrl')
    if (!database) return expect(inject('database')).toBe('pglite') // PGlite is one process: its rows are read through the API only.
    const created = await createKey(alice)
    const sql = postgres(database, { max: 1 })
    try {
      const rows = await sql<{ hash: string }[]>`select * from api_keys where id = ${created.id}`
      expect(rows[0]!.hash).toBe(createHash('sha256').update(created.key).digest('hex'))
      expect(JSON.stringify(rows)).not.toContain(created.key)
    }
    finally {
      await sql.end()
    }
  })

  it.each([
    ['no name', {}],
    ['an empty name', { name: '   ' }],
    ['a name over the limit', { name: 'k'.repeat(LIMITS.maxApiKeyNameChars + 1) }],
    ['a name that is not a string', { name: 42 }],
  ])('refuses %s with 400', async (_, body) => {
    await expectApiError(await alice.fetch('/api/keys', { method: 'POST', body }), 400, ERRORS.apiKeyNameInvalid)
  })

  it(`stops at ${DEFAULTS.maxApiKeysPerUser} keys per user (MAX_API_KEYS_PER_USER), even when asked for at once: 403`, async () => {
    const user = await signUp(appUrl)
    const results = await Promise.all(Array.from({ length: DEFAULTS.maxApiKeysPerUser + 3 }, (_, i) => user.fetch('/api/keys', { method: 'POST', body: { name: `k${i}` } })))
    expect(results.filter(res => res.status === 201)).toHaveLength(DEFAULTS.maxApiKeysPerUser)
    await expectApiError(results.find(res => res.status !== 201)!, 403, ERRORS.tooManyApiKeys)
  })

  it('needs a session or a key: 401 without', async () => {
    await expectApiError(await fetch(`${appUrl}/api/keys`), 401, ERRORS.unauthorized)
    await expectApiError(await fetch(`${appUrl}/api/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' }), 401, ERRORS.unauthorized)
  })

  it('answers 404 for another user\'s key, exactly as for a missing one, and leaves it working', async () => {
    const created = await createKey(alice)
    const foreign = await expectApiError(await bob.fetch(`/api/keys/${created.id}`, { method: 'DELETE' }), 404, ERRORS.apiKeyNotFound)
    const missing = await expectApiError(await bob.fetch(`/api/keys/${LIMITS.maxChatId}`, { method: 'DELETE' }), 404, ERRORS.apiKeyNotFound)
    expect(foreign).toBe(missing)
    await expectApiError(await bob.fetch('/api/keys/not-an-id', { method: 'DELETE' }), 404, ERRORS.apiKeyNotFound)
    expect((await (await bob.fetch('/api/keys')).json() as ApiKeySummary[]).map(key => key.id)).not.toContain(created.id)
    expect((await withKey(created.key, '/api/auth/me')).status).toBe(200)
  })
})

describe('using a key', () => {
  it('stands for its holder on the API: the same user, their chats and no one else\'s', async () => {
    const { key } = await createKey(alice)
    const me = await withKey(key, '/api/auth/me')
    expect(me.status).toBe(200)
    expect((await me.json() as { user: { id: number } }).user.id).toBe(alice.id)

    const created = await withKey(key, '/api/chats', { method: 'POST', body: { title: 'From a script' } })
    expect(created.status).toBe(201)
    const chat = await created.json() as ChatSummary
    expect((await (await alice.fetch('/api/chats')).json() as ChatSummary[]).map(c => c.id)).toContain(chat.id)

    const bobChat = await bob.createChat('Bob\'s')
    await expectApiError(await withKey(key, `/api/chats/${bobChat.id}`), 404, ERRORS.chatNotFound)
    await expectApiError(await withKey(key, chatPath(`chat_id=${bobChat.id}`), { method: 'POST', body: { messages: [{ role: 'user', content: 'Hi' }] } }), 404, ERRORS.chatNotFound)
  })

  it('talks to the chat endpoint with no cookie and no Origin check, and the turn is stored as the holder\'s', async () => {
    const { key } = await createKey(alice)
    const chat = await alice.createChat()
    const res = await withKey(key, chatPath(`chat_id=${chat.id}`), { method: 'POST', body: { messages: [{ role: 'user', content: 'Hello from curl' }] }, headers: { origin: 'https://elsewhere.example' } })
    expect(res.status).toBe(200)
    const stream = await readUiStream(res)
    expect(stream.done).toBe(true)
    const stored = await (await alice.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.map(message => [message.role, message.status])).toEqual([['user', 'complete'], ['assistant', 'complete']])
    expect(stored.messages[1]!.content).toBe(stream.text)
  })

  it('records when a key was last used', async () => {
    const created = await createKey(alice)
    await withKey(created.key, '/api/auth/me')
    const listed = await (await alice.fetch('/api/keys')).json() as ApiKeySummary[]
    const lastUsed = listed.find(key => key.id === created.id)!.lastUsedAt
    expect(lastUsed).not.toBeNull()
    expect(Date.parse(lastUsed!)).toBeGreaterThanOrEqual(Date.parse(created.createdAt))
  })

  it.each([
    ['an unknown key', `Bearer ${API_KEY_PREFIX}${'A'.repeat(43)}`],
    ['a key without its prefix', `Bearer ${'A'.repeat(46)}`],
    ['a truncated key', `Bearer ${API_KEY_PREFIX}abc`],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an empty Bearer', 'Bearer '],
    ['two tokens', `Bearer ${API_KEY_PREFIX}${'A'.repeat(43)} extra`],
  ])('refuses %s with the API\'s 401, even next to a valid session cookie', async (_, authorization) => {
    for (const path of ['/api/auth/me', '/api/chats']) {
      const res = await fetch(`${appUrl}${path}`, { headers: { authorization, cookie: alice.cookie } })
      await expectApiError(res, 401, ERRORS.unauthorized)
    }
  })

  it('stops working the moment it is revoked, on every route', async () => {
    const created = await createKey(alice)
    const chat = await alice.createChat()
    expect((await withKey(created.key, '/api/chats')).status).toBe(200)
    expect((await alice.fetch(`/api/keys/${created.id}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await withKey(created.key, '/api/chats'), 401, ERRORS.unauthorized)
    await expectApiError(await withKey(created.key, chatPath(`chat_id=${chat.id}`), { method: 'POST', body: { messages: [{ role: 'user', content: 'Still there?' }] } }), 401, ERRORS.unauthorized)
    expect((await (await alice.fetch('/api/keys')).json() as ApiKeySummary[]).map(key => key.id)).not.toContain(created.id)
    await expectApiError(await alice.fetch(`/api/keys/${created.id}`, { method: 'DELETE' }), 404, ERRORS.apiKeyNotFound)
    const stored = await (await alice.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages).toEqual([])
  })

  it('survives "log out everywhere" and a password change', async () => {
    const user = await signUp(appUrl)
    const { key } = await createKey(user)
    expect((await user.fetch('/api/auth/logout-all', { method: 'POST' })).status).toBe(204)
    expect((await user.fetch('/api/auth/me')).status).toBe(401)
    expect((await withKey(key, '/api/auth/me')).status).toBe(200)

    const login = await fetch(`${appUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) })
    const cookie = login.headers.getSetCookie().find(c => c.startsWith('neptun-session='))!.split(';')[0]!
    const changed = await fetch(`${appUrl}/api/auth/password`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ currentPassword: user.password, newPassword: 'a brand new password' }) })
    expect(changed.status).toBe(204)
    expect((await withKey(key, '/api/auth/me')).status).toBe(200)
  })

  it('goes with its user: a deleted user\'s key is a 401', async () => {
    const database = inject('postgresUrl')
    if (!database) return expect(inject('database')).toBe('pglite') // Users are deleted in the database only; PGlite is one process.
    const user = await signUp(appUrl)
    const { key } = await createKey(user)
    const sql = postgres(database, { max: 1 })
    try {
      await sql`delete from users where id = ${user.id}`
    }
    finally {
      await sql.end()
    }
    await expectApiError(await withKey(key, '/api/auth/me'), 401, ERRORS.unauthorized)
  })
})
