// Deleting one's own account (DELETE /api/auth/account) and exporting one's data first
// (GET /api/auth/account/export): the password or a fresh sign-in proves it is them, the only
// admin cannot leave others without one, and afterwards nothing of theirs is left in any table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERRORS, TEAM_ERRORS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { expectApiError, readUiStream, signUp, uniqueEmail, type TestUser } from '../support/api-client.ts'
import { createKey, logIn, startTeamServer, withKey, type TeamServer } from '../support/team.ts'

let server: TeamServer

beforeAll(async () => {
  // A chat rate limit, so the user has rate-limit rows keyed by their id to be deleted too.
  server = await startTeamServer({ CHAT_RATE_LIMIT_PER_MINUTE: '100' })
})
afterAll(async () => server?.stop())

function deleteAccount(user: TestUser, body: unknown) {
  return user.fetch('/api/auth/account', { method: 'DELETE', body })
}

/** A user with something in every table a user can fill: a chat with an answer, feedback, a share, a key, usage. */
async function busyUser(): Promise<{ user: TestUser, key: string, chatId: number, shareId: string }> {
  const user = await signUp(server.url, uniqueEmail('leaving'))
  const chat = await user.createChat('My secrets')
  const res = await user.chat(chat.id, [{ role: 'user', content: 'Remember this' }])
  expect((await readUiStream(res)).done).toBe(true)
  const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
  const answer = stored.messages.find(message => message.role === 'assistant')!
  expect((await user.fetch(`/api/chats/${chat.id}/messages/${answer.id}/feedback`, { method: 'PUT', body: { rating: 'up', comment: 'nice' } })).status).toBe(200)
  const share = await (await user.fetch(`/api/chats/${chat.id}/shares`, { method: 'POST' })).json() as { id: string }
  const key = await createKey(user)
  return { user, key, chatId: chat.id, shareId: share.id }
}

describe('exporting all my data', () => {
  it('downloads the account, settings, chats with messages, keys without secrets, shares, feedback and usage', async () => {
    const { user, key, chatId, shareId } = await busyUser()
    const res = await user.fetch('/api/auth/account/export')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="neptun-chat-export-\d+\.json"$/)
    const text = await res.text()
    expect(text).not.toContain(key)
    expect(text).not.toMatch(/password|hash/i)
    const data = JSON.parse(text)
    expect(data.account).toMatchObject({ id: user.id, email: user.email })
    expect(data.settings).toEqual({ locale: null })
    expect(data.chats).toHaveLength(1)
    expect(data.chats[0]).toMatchObject({ id: chatId, title: 'My secrets' })
    expect(data.chats[0].messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant'])
    expect(data.chats[0].messages[0].content).toBe('Remember this')
    expect(data.apiKeys).toHaveLength(1)
    expect(Object.keys(data.apiKeys[0]).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix'])
    expect(data.shares.map((share: { id: string }) => share.id)).toEqual([shareId])
    expect(data.feedback).toMatchObject([{ rating: 'up', comment: 'nice' }])
    expect(data.usage).toHaveLength(1)
    expect(data.usage[0].neurons).toBeGreaterThan(0)
  })

  it('answers 401 without a session', async () => {
    await expectApiError(await fetch(`${server.url}/api/auth/account/export`), 401, ERRORS.unauthorized)
  })
})

describe('deleting my account', () => {
  it('needs the password: none is 400, a wrong one 401, and nothing is deleted', async () => {
    const user = await signUp(server.url)
    await expectApiError(await deleteAccount(user, {}), 400, TEAM_ERRORS.passwordRequired)
    await expectApiError(await deleteAccount(user, { password: 'not my password' }), 401, ERRORS.invalidCredentials)
    expect((await user.fetch('/api/auth/me')).status).toBe(200)
  })

  it('with the password: 204, the cookie and the key get 401 afterwards and the email can sign up again', async () => {
    const { user, key } = await busyUser()
    expect((await deleteAccount(user, { password: user.password })).status).toBe(204)
    await expectApiError(await user.fetch('/api/auth/me'), 401, ERRORS.unauthorized)
    await expectApiError(await withKey(server.url, key, '/api/chats'), 401, ERRORS.unauthorized)
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) })
    await expectApiError(login, 401, ERRORS.invalidCredentials)
    expect((await signUp(server.url, user.email)).id).not.toBe(user.id)
  })

  it('without a password (passkey or single sign-on accounts) needs a sign-in within the last minutes', async () => {
    if (server.queryStops) return // PGlite is one process: the password is removed in the database, on PostgreSQL.
    const user = await signUp(server.url)
    await server.query(`update users set password_hash = '' where id = $1`, [user.id])
    // The sign-up just now is a fresh sign-in.
    expect((await deleteAccount(user, {})).status).toBe(204)
    await expectApiError(await user.fetch('/api/auth/me'), 401, ERRORS.unauthorized)
  })
})

describe('the only admin', () => {
  let fresh: TeamServer
  beforeAll(async () => {
    fresh = await startTeamServer({}, { fresh: true })
  })
  afterAll(async () => fresh?.stop())

  it('cannot delete their account while other users exist, until someone else is admin', async () => {
    const first = await signUp(fresh.url)
    const other = await signUp(fresh.url)
    await expectApiError(await deleteAccount(first, { password: first.password }), 409, TEAM_ERRORS.lastAdmin)
    expect((await first.fetch(`/api/admin/users/${other.id}`, { method: 'PATCH', body: { admin: true } })).status).toBe(204)
    expect((await deleteAccount(first, { password: first.password })).status).toBe(204)
    // Alone, the last admin may leave.
    expect((await deleteAccount(other, { password: other.password })).status).toBe(204)
  })
})

describe('after deletion', () => {
  it('leaves nothing of the user in any table', async () => {
    const { user, chatId } = await busyUser()
    const bystander = await signUp(server.url)
    await bystander.createChat('stays')
    expect((await deleteAccount(user, { password: user.password })).status).toBe(204)
    const stillThere = await logIn(server.url, bystander.email, bystander.password)
    expect((await stillThere.fetch('/api/chats')).status).toBe(200)

    const tables = await server.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`)
    const columns = await server.query<{ table_name: string, column_name: string }>(`select table_name, column_name from information_schema.columns where table_schema = 'public'`)
    expect(tables.length).toBeGreaterThan(8)
    const leftovers: string[] = []
    for (const { table_name: table } of tables) {
      const names = columns.filter(column => column.table_name === table).map(column => column.column_name)
      // Any column naming a user (user_id, created_by, used_by, actor_id, target_id, …) or the deleted chat.
      const userColumns = names.filter(name => ['user_id', 'created_by', 'used_by', 'actor_id', 'target_id'].includes(name) || (table === 'users' && name === 'id'))
      for (const column of userColumns) {
        const [row] = await server.query<{ n: number }>(`select count(*)::int as n from "${table}" where "${column}" = $1`, [user.id])
        if (row!.n) leftovers.push(`${table}.${column}`)
      }
      if (names.includes('chat_id')) {
        const [row] = await server.query<{ n: number }>(`select count(*)::int as n from "${table}" where chat_id = $1`, [chatId])
        if (row!.n) leftovers.push(`${table}.chat_id`)
      }
      // Any row mentioning the user's email, or a key that names the user (rate-limit windows).
      const [mention] = await server.query<{ n: number }>(`select count(*)::int as n from "${table}" t where row_to_json(t)::text ilike $1 or row_to_json(t)::text ~ $2`, [`%${user.email}%`, `"key":"[a-z:]+:${user.id}"`])
      if (mention!.n) leftovers.push(`${table} (email or key)`)
    }
    expect(leftovers).toEqual([])
  })
})
