// What one signed-in user may take: chats, stored bytes, new chats, API keys and API requests a
// minute, with the session cookie or an API key alike.
// Each limit answers a clear 4xx (429 with Retry-After for rates), refuses before anything is
// stored, and leaves other users alone. users.stored_bytes (kept by triggers) is checked against
// a recount after every kind of write.
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHAT_ID_HEADER, DEFAULT_MODEL_NAME, ERRORS, LIMITS, LIVE_MODELS, type ChatWithMessages, type CreatedApiKey } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { cookieFrom, earlyInMinute, signUp, userFetch, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { directive } from '../../emulator/behaviour.ts'
import { chatTurn, checkErrorShape } from './support.ts'

const CREATES_PER_MINUTE = 5
const CHATS_PER_USER = 3
const API_PER_MINUTE = 20
const API_KEYS_PER_USER = 2
const CHATS_PER_MINUTE = 4

let pg: TestPostgres
let sql: postgres.Sql
let emulator: Emulator
/** On PostgreSQL: a 1 MiB storage quota, CREATES_PER_MINUTE new chats a minute. */
let app: AppServer
/** On PGlite: CHATS_PER_USER chats, API_PER_MINUTE requests, CHATS_PER_MINUTE chat turns a minute, API_KEYS_PER_USER keys. */
let small: AppServer

beforeAll(async () => {
  pg = await startPostgres()
  sql = postgres(pg.url, { max: 2, onnotice: () => {} })
  emulator = await startEmulator({ tokenDelayMs: 0 })
  ;[app, small] = await Promise.all([
    startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env: { USER_STORAGE_QUOTA_MB: '1', CHAT_CREATE_RATE_LIMIT_PER_MINUTE: String(CREATES_PER_MINUTE) } }),
    startAppServer({ emulatorUrl: emulator.url, env: { MAX_CHATS_PER_USER: String(CHATS_PER_USER), API_RATE_LIMIT_PER_MINUTE: String(API_PER_MINUTE), CHAT_RATE_LIMIT_PER_MINUTE: String(CHATS_PER_MINUTE), MAX_API_KEYS_PER_USER: String(API_KEYS_PER_USER) } }),
  ])
})

afterAll(async () => {
  await Promise.all([app?.stop(), small?.stop()])
  await emulator?.close()
  await sql?.end()
  pg?.stop()
})

async function expectError(res: Response, status: number, message: string) {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  expect(checkErrorShape(status, res.headers.get('content-type'), text)).toBeUndefined()
  expect(JSON.parse(text).statusMessage).toBe(message)
  return res
}

/** users.stored_bytes, and the same figure counted from the messages. */
async function storedBytes(userId: number) {
  const [row] = await sql<{ kept: string, counted: string }[]>`
    select stored_bytes as kept, (select coalesce(sum(octet_length(m.content) + coalesce(octet_length(m.reasoning), 0)), 0) from messages m join chats c on c.id = m.chat_id where c.user_id = ${userId}) as counted
    from users where id = ${userId}`
  return { kept: Number(row!.kept), counted: Number(row!.counted) }
}

async function expectCounted(user: TestUser): Promise<number> {
  const { kept, counted } = await storedBytes(user.id)
  expect(kept).toBe(counted)
  return kept
}

/** `count` messages of `chars` characters each (ASCII and 2-byte characters, so bytes are not characters). */
const conversation = (count: number, chars: number) => Array.from({ length: count }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${i}é`.padEnd(chars, 'x') }))

describe('storage quota (USER_STORAGE_QUOTA_MB)', () => {
  it('a saved conversation that would pass it is refused with 403 and nothing is stored; deleting a chat frees its bytes', async () => {
    const user = await signUp(app.url)
    const first = await user.fetch('/api/chats', { method: 'POST', body: { messages: conversation(20, 30_000) } })
    expect(first.status).toBe(201)
    const used = await expectCounted(user)
    expect(used).toBe(20 * 30_001)
    await expectError(await user.fetch('/api/chats', { method: 'POST', body: { title: 'too much', messages: conversation(20, 30_000) } }), 403, ERRORS.storageQuotaReached)
    const chats = await (await user.fetch('/api/chats')).json() as { id: number, title: string }[]
    expect(chats.map(chat => chat.title)).not.toContain('too much')
    expect(await expectCounted(user)).toBe(used)
    // Empty chats cost nothing and stay possible.
    expect((await user.fetch('/api/chats', { method: 'POST', body: {} })).status).toBe(201)
    expect((await user.fetch(`/api/chats/${(await first.json() as { id: number }).id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await expectCounted(user)).toBe(0)
    expect((await user.fetch('/api/chats', { method: 'POST', body: { messages: conversation(20, 30_000) } })).status).toBe(201)
  })

  it('a chat turn whose question would pass it gets 403 and nothing is stored; an accepted question\'s answer is always kept', async () => {
    const user = await signUp(app.url)
    const chat = await (await user.fetch('/api/chats', { method: 'POST', body: { messages: conversation(31, 32_000) } })).json() as { id: number }
    const question = (marker: string) => `${marker} `.padEnd(LIMITS.maxMessageChars, 'q')
    const accepted = await chatTurn(app.url, user.cookie, chat.id, question('accepted'))
    expect(accepted.status).toBe(200)
    expect(accepted.sawFinish).toBe(true)
    const before = await expectCounted(user)
    const refused = await chatTurn(app.url, user.cookie, chat.id, question('refused'))
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.body!).statusMessage).toBe(ERRORS.storageQuotaReached)
    expect(await expectCounted(user)).toBe(before)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.at(-1)!.role).toBe('assistant')
    expect(stored.messages.some(m => m.content.startsWith('refused'))).toBe(false)
    // The playground stores nothing, so it is not refused.
    expect((await chatTurn(app.url, user.cookie, 0, question('playground'), { playground: true })).status).toBe(200)
    // Removing messages (regenerate, edit) frees their bytes.
    const firstId = stored.messages.find(m => m.content.startsWith('accepted'))!.id
    expect((await user.fetch(`/api/chats/${chat.id}/messages?from=${firstId}`, { method: 'DELETE' })).status).toBe(204)
    expect(await expectCounted(user)).toBeLessThan(before - LIMITS.maxMessageChars)
    expect((await chatTurn(app.url, user.cookie, chat.id, question('after truncation'))).status).toBe(200)
  })

  it('a feedback comment counts toward it: one that would pass it gets 403 and is not stored', async () => {
    const user = await signUp(app.url)
    const chat = await (await user.fetch('/api/chats', { method: 'POST', body: { messages: conversation(32, 32_000) } })).json() as { id: number }
    expect((await user.fetch('/api/chats', { method: 'POST', body: { messages: conversation(1, 23_043) } })).status).toBe(201)
    const used = await expectCounted(user)
    expect(1024 * 1024 - used).toBe(1500)
    const answer = ((await (await user.fetch(`/api/chats/${chat.id}`)).json()) as ChatWithMessages).messages.findLast(m => m.role === 'assistant')!
    const feedback = `/api/chats/${chat.id}/messages/${answer.id}/feedback`
    await expectError(await user.fetch(feedback, { method: 'PUT', body: { rating: 'down', comment: 'é'.repeat(LIMITS.maxFeedbackCommentChars) } }), 403, ERRORS.storageQuotaReached)
    expect(((await (await user.fetch(`/api/chats/${chat.id}`)).json()) as ChatWithMessages).messages.find(m => m.id === answer.id)!.feedback).toBeNull()
    expect((await user.fetch(feedback, { method: 'PUT', body: { rating: 'down', comment: 'Too long' } })).status).toBe(200)
    expect((await storedBytes(user.id)).kept).toBe(used + 'Too long'.length)
    expect((await user.fetch(feedback, { method: 'DELETE' })).status).toBe(204)
    expect(await expectCounted(user)).toBe(used)
  })

  it('an answer\'s thinking counts toward it as well as its text', async () => {
    const user = await signUp(app.url)
    const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning)!
    const chat = await (await user.fetch('/api/chats', { method: 'POST', body: { model: thinker.name } })).json() as { id: number }
    const turn = await chatTurn(app.url, user.cookie, chat.id, 'Think first, then answer.', { model: thinker.name })
    expect(turn.status).toBe(200)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    const answer = stored.messages.at(-1)!
    expect(answer.reasoning?.length).toBeGreaterThan(0)
    const bytes = stored.messages.reduce((sum, m) => sum + Buffer.byteLength(m.content) + Buffer.byteLength(m.reasoning ?? ''), 0)
    expect(await expectCounted(user)).toBe(bytes)
    expect((await user.fetch(`/api/chats/${chat.id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await expectCounted(user)).toBe(0)
  })

  it('an answer stored early as streaming and written by checkpoints counts once, at its stored size', async () => {
    const user = await signUp(app.url)
    const chat = await (await user.fetch('/api/chats', { method: 'POST', body: {} })).json() as { id: number }
    // 120 tokens 25 ms apart: three seconds, so the answer's row takes checkpoints before its final write.
    const turn = chatTurn(app.url, user.cookie, chat.id, `checkpointed ${directive({ tokens: 120, tokenDelayMs: 25 })}`)
    const checkpointed = () => sql`select 1 from messages where chat_id = ${chat.id} and role = 'assistant' and status = 'streaming' and content <> ''`
    await expect.poll(async () => (await checkpointed()).length, { timeout: 3000, interval: 50 }).toBe(1)
    const midway = await expectCounted(user)
    const ended = await turn
    expect(ended.status).toBe(200)
    expect(ended.sawFinish).toBe(true)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.at(-1)!.status).toBe('complete')
    const bytes = stored.messages.reduce((sum, m) => sum + Buffer.byteLength(m.content) + Buffer.byteLength(m.reasoning ?? ''), 0)
    expect(await expectCounted(user)).toBe(bytes)
    expect(bytes).toBeGreaterThan(midway)
  })
})

describe('shared snapshots under the storage quota', () => {
  it('a snapshot counts like the text it copies: a share that would pass the quota is refused with 403 and made nothing; revoking one frees its bytes', async () => {
    const user = await signUp(app.url)
    const create = async (title: string, count: number) => (await (await user.fetch('/api/chats', { method: 'POST', body: { title, messages: conversation(count, 30_000) } })).json() as { id: number }).id
    const first = await create('first', 8)
    const messagesBytes = await expectCounted(user)
    const shared = await user.fetch(`/api/chats/${first}/shares`, { method: 'POST' })
    expect(shared.status).toBe(201)
    const { id: shareId } = await shared.json() as { id: string }
    // The snapshot adds its title and its messages' text again.
    expect((await storedBytes(user.id)).kept).toBe(2 * messagesBytes + 'first'.length)
    const second = await create('second', 16)
    const full = (await storedBytes(user.id)).kept
    await expectError(await user.fetch(`/api/chats/${second}/shares`, { method: 'POST' }), 403, ERRORS.storageQuotaReached)
    expect((await storedBytes(user.id)).kept).toBe(full)
    expect((await (await user.fetch('/api/shares')).json() as unknown[]).length).toBe(1)
    expect((await user.fetch(`/api/shares/${shareId}`, { method: 'DELETE' })).status).toBe(204)
    expect(await expectCounted(user)).toBe(full - messagesBytes - 'first'.length)
    expect((await user.fetch(`/api/chats/${second}/shares`, { method: 'POST' })).status).toBe(201)
  })
})

describe('new chats (CHAT_CREATE_RATE_LIMIT_PER_MINUTE)', () => {
  it(`${CREATES_PER_MINUTE} a minute per user, then 429 with Retry-After; another user goes on`, async () => {
    await earlyInMinute()
    const user = await signUp(app.url)
    const statuses = await Promise.all(Array.from({ length: CREATES_PER_MINUTE + 3 }, () => user.fetch('/api/chats', { method: 'POST', body: {} }).then(res => res.status)))
    expect(statuses.filter(s => s === 201)).toHaveLength(CREATES_PER_MINUTE)
    const res = await expectError(await user.fetch('/api/chats', { method: 'POST', body: {} }), 429, ERRORS.chatCreateRateLimited)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect((await (await signUp(app.url)).fetch('/api/chats', { method: 'POST', body: {} })).status).toBe(201)
  })
})

describe('chats per user (MAX_CHATS_PER_USER)', () => {
  it(`the ${CHATS_PER_USER + 1}th chat is refused with 403, even when asked for at once; deleting one makes room`, async () => {
    const user = await signUp(small.url)
    const statuses = await Promise.all(Array.from({ length: CHATS_PER_USER + 4 }, () => user.fetch('/api/chats', { method: 'POST', body: {} }).then(res => res.status)))
    expect(statuses.filter(s => s === 201)).toHaveLength(CHATS_PER_USER)
    expect(statuses.filter(s => s === 403)).toHaveLength(4)
    await expectError(await user.fetch('/api/chats', { method: 'POST', body: {} }), 403, ERRORS.tooManyChats)
    const [chat] = await (await user.fetch('/api/chats')).json() as { id: number }[]
    expect((await user.fetch(`/api/chats/${chat!.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await user.fetch('/api/chats', { method: 'POST', body: {} })).status).toBe(201)
  })
})

describe('API requests (API_RATE_LIMIT_PER_MINUTE)', () => {
  it(`${API_PER_MINUTE} signed-in requests a minute, then 429 with Retry-After on every route; another user goes on`, async () => {
    await earlyInMinute()
    const user = await signUp(small.url)
    const statuses = await Promise.all(Array.from({ length: API_PER_MINUTE + 5 }, () => user.fetch('/api/chats').then(res => res.status)))
    expect(statuses.filter(s => s === 200)).toHaveLength(API_PER_MINUTE)
    for (const [method, path] of [['GET', '/api/auth/me'], ['GET', '/api/chats'], ['GET', '/api/usage'], ['POST', '/api/chats'], ['POST', '/api/generations/00000000-0000-4000-8000-000000000000/stop']] as const) {
      const res = await expectError(await user.fetch(path, { method, body: method === 'POST' ? {} : undefined }), 429, ERRORS.apiRateLimited)
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    }
    // The chat endpoint has its own limit (CHAT_RATE_LIMIT_PER_MINUTE), so a turn still goes through.
    const turn = await chatTurn(small.url, user.cookie, 0, 'still allowed', { playground: true })
    expect(turn.status).toBe(200)
    const other = await signUp(small.url)
    expect((await other.fetch('/api/chats')).status).toBe(200)
  })

  it('a signed-out cookie spends nothing of its user\'s windows: its requests and turns are 401, and the live session keeps its whole budget', async () => {
    await earlyInMinute()
    const user = await signUp(small.url)
    const login = await fetch(`${small.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: user.password }) })
    expect(login.status).toBe(200)
    const signedOut = userFetch(small.url, cookieFrom(login))
    // The log-out is this window's one API call of the user's.
    expect((await signedOut('/api/auth/logout', { method: 'POST' })).status).toBe(204)
    const refused = await Promise.all([
      ...Array.from({ length: API_PER_MINUTE + 2 }, () => signedOut('/api/chats')),
      ...Array.from({ length: CHATS_PER_MINUTE + 2 }, (_, i) => signedOut(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=0&is_playground=true`, { method: 'POST', body: { messages: [{ role: 'user', content: `stale ${i}` }] } })),
    ])
    expect(refused.map(res => res.status)).toEqual(refused.map(() => 401))
    const calls = await Promise.all(Array.from({ length: API_PER_MINUTE - 1 }, () => user.fetch('/api/chats').then(res => res.status)))
    expect(calls).toEqual(calls.map(() => 200))
    await expectError(await user.fetch('/api/chats'), 429, ERRORS.apiRateLimited)
    for (let i = 0; i < CHATS_PER_MINUTE; i++) expect((await chatTurn(small.url, user.cookie, 0, `live ${i}`, { playground: true })).status).toBe(200)
    expect((await chatTurn(small.url, user.cookie, 0, 'one too many', { playground: true })).status).toBe(429)
  })
})

/** A new API key of `user`'s (one API call). */
async function createKey(user: TestUser): Promise<string> {
  const res = await user.fetch('/api/keys', { method: 'POST', body: { name: 'script' } })
  expect(res.status).toBe(201)
  return (await res.json() as CreatedApiKey).key
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** A turn on the chat endpoint with an API key, answered as plain text. */
function plainTextTurn(server: AppServer, key: string, chatId: number, content: string) {
  const query = chatId ? `chat_id=${chatId}` : 'chat_id=0&is_playground=true'
  return fetch(`${server.url}/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?${query}`, {
    method: 'POST',
    headers: { ...bearer(key), 'accept': 'text/plain', 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
  })
}

/** A chat completion through the OpenAI-compatible API, appended to chat `chatId` when given. */
function completion(server: AppServer, key: string, content: string, options: { chatId?: number, stream?: boolean } = {}) {
  return fetch(`${server.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { ...bearer(key), 'content-type': 'application/json', ...(options.chatId ? { [CHAT_ID_HEADER]: String(options.chatId) } : {}) },
    body: JSON.stringify({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content }], stream: options.stream ?? false }),
  })
}

/** An error of the OpenAI-compatible API: OpenAI's shape, the API's message. */
async function expectOpenAiError(res: Response, status: number, message: string, code: string | null) {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  expect(JSON.parse(text)).toMatchObject({ error: { message, code } })
  return res
}

describe('API keys under the same limits as sessions', () => {
  it(`at most ${API_KEYS_PER_USER} keys per user (MAX_API_KEYS_PER_USER), even when asked for at once: 403; revoking one makes room`, async () => {
    const user = await signUp(small.url)
    const results = await Promise.all(Array.from({ length: API_KEYS_PER_USER + 3 }, (_, i) => user.fetch('/api/keys', { method: 'POST', body: { name: `k${i}` } })))
    expect(results.filter(res => res.status === 201)).toHaveLength(API_KEYS_PER_USER)
    await expectError(results.find(res => res.status !== 201)!, 403, ERRORS.tooManyApiKeys)
    const { id } = await results.find(res => res.status === 201)!.json() as CreatedApiKey
    expect((await user.fetch(`/api/keys/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await user.fetch('/api/keys', { method: 'POST', body: { name: 'again' } })).status).toBe(201)
  })

  it('a key\'s requests count in the user\'s API window, shared with the session: no key adds budget', async () => {
    await earlyInMinute()
    const user = await signUp(small.url)
    const key = await createKey(user)
    // Half with the cookie, half with the key; creating the key was the window's first request.
    const statuses = await Promise.all(Array.from({ length: API_PER_MINUTE + 4 }, (_, i) => (i % 2
      ? user.fetch('/api/chats')
      : fetch(`${small.url}/api/chats`, { headers: bearer(key) })).then(res => res.status)))
    expect(statuses.filter(s => s === 200)).toHaveLength(API_PER_MINUTE - 1)
    const refused = await expectError(await fetch(`${small.url}/api/keys`, { headers: bearer(key) }), 429, ERRORS.apiRateLimited)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    await expectError(await user.fetch('/api/auth/me'), 429, ERRORS.apiRateLimited)
    // The OpenAI-compatible API answers the same limit in OpenAI's shape.
    const models = await expectOpenAiError(await fetch(`${small.url}/api/v1/models`, { headers: bearer(key) }), 429, ERRORS.apiRateLimited, 'rate_limit_exceeded')
    expect(Number(models.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    // Another user's key goes on.
    const other = await signUp(small.url)
    expect((await fetch(`${small.url}/api/chats`, { headers: bearer(await createKey(other)) })).status).toBe(200)
  })

  it(`chat turns with a key (plain text, OpenAI, streamed or not) count in CHAT_RATE_LIMIT_PER_MINUTE with the session's`, async () => {
    await earlyInMinute()
    const user = await signUp(small.url)
    const key = await createKey(user)
    expect((await chatTurn(small.url, user.cookie, 0, 'with the cookie', { playground: true })).status).toBe(200)
    const plain = await plainTextTurn(small, key, 0, 'plain text')
    expect(plain.status).toBe(200)
    expect(await plain.text()).not.toBe('')
    expect((await completion(small, key, 'openai')).status).toBe(200)
    const streamed = await completion(small, key, 'openai streamed', { stream: true })
    expect(streamed.status).toBe(200)
    expect(await streamed.text()).toContain('data: [DONE]')
    // CHATS_PER_MINUTE turns taken, whichever way they came.
    const refused = await expectError(await plainTextTurn(small, key, 0, 'one too many'), 429, ERRORS.chatRateLimited)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const openAi = await expectOpenAiError(await completion(small, key, 'one too many'), 429, ERRORS.chatRateLimited, 'rate_limit_exceeded')
    expect(Number(openAi.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await chatTurn(small.url, user.cookie, 0, 'one too many', { playground: true })).status).toBe(429)
  })

  it('a key\'s turns on a full account are refused with 403 (plain text and X-Neptun-Chat-Id) and store nothing; stateless completions still answer', async () => {
    const user = await signUp(app.url)
    const key = await createKey(user)
    const chat = await (await user.fetch('/api/chats', { method: 'POST', body: { messages: conversation(31, 32_000) } })).json() as { id: number }
    const question = (marker: string) => `${marker} `.padEnd(LIMITS.maxMessageChars, 'q')
    const accepted = await plainTextTurn(app, key, chat.id, question('accepted'))
    expect(accepted.status).toBe(200)
    expect(await accepted.text()).not.toBe('')
    const before = await expectCounted(user)
    await expectError(await plainTextTurn(app, key, chat.id, question('refused as text')), 403, ERRORS.storageQuotaReached)
    await expectOpenAiError(await completion(app, key, question('refused through openai'), { chatId: chat.id }), 403, ERRORS.storageQuotaReached, null)
    expect(await expectCounted(user)).toBe(before)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.some(m => m.content.startsWith('refused'))).toBe(false)
    expect((await completion(app, key, 'stateless stores nothing')).status).toBe(200)
    expect(await expectCounted(user)).toBe(before)
  })
})
