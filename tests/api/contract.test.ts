// The chat endpoint's contract: every status and statusMessage, in the order the checks run
// (session, model, query, body, chat, configuration), and the shape of a successful stream.
import { spawn, spawnSync } from 'node:child_process'
import { Agent, request } from 'node:http'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_MODEL_NAME, ERRORS, LIMITS, MODELS, type ChatMessage } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { emulatorControl } from '../../emulator/client.ts'
import {
  chatPath, directive, earlyInMinute, expectApiError, marker, readUiStream, signUp, ssePayloads, userFetch, words, type TestUser,
} from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
const RETIRED = MODELS.find(model => model.retired)!
const hello: ChatMessage[] = [{ role: 'user', content: 'Hello, how are you?' }]

let alice: TestUser
let bob: TestUser
let aliceChat: number
let bobChat: number
/** An id no chat has: the top of the integer range. */
const MISSING_CHAT = LIMITS.maxChatId

/** Extra servers: one without Workers AI credentials, one with the chat rate limit on (and its own database). */
let unconfigured: AppServer
let limited: AppServer

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
  ;[aliceChat, bobChat] = await Promise.all([alice.createChat().then(c => c.id), bob.createChat().then(c => c.id)])
  ;[unconfigured, limited] = await Promise.all([
    startAppServer({
      env: {
        CLOUDFLARE_ACCOUNT_ID: undefined, CLOUDFLARE_API_TOKEN: undefined, CLOUDFLARE_API_BASE_URL: undefined,
        NUXT_CLOUDFLARE_ACCOUNT_ID: undefined, NUXT_CLOUDFLARE_API_TOKEN: undefined, NUXT_AI_EMULATOR: undefined,
      },
    }),
    startAppServer({ emulatorUrl: inject('emulatorUrl'), env: { CHAT_RATE_LIMIT_PER_MINUTE: '2' } }),
  ])
})

afterAll(async () => {
  await Promise.all([unconfigured?.stop(), limited?.stop()])
})

/** POST to the chat endpoint with a raw query and a raw (or JSON) body. */
function post(user: TestUser | string, query: string, body: unknown = { messages: hello }, options: { model?: string, headers?: Record<string, string> } = {}) {
  const doFetch = typeof user === 'string' ? userFetch(appUrl, user) : user.fetch
  return doFetch(chatPath(query, options.model), { method: 'POST', body, headers: options.headers })
}

/** Flips one character in the middle of a sealed cookie value. */
function tamper(cookie: string): string {
  const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)]
  for (let i = Math.floor(value.length / 2); i < value.length; i++) {
    const c = value[i]!
    if (!/[A-Za-z0-9]/.test(c)) continue
    const flipped = c === 'A' ? 'B' : 'A'
    return `${name}=${value.slice(0, i)}${flipped}${value.slice(i + 1)}`
  }
  throw new Error('nothing to flip')
}

describe('1. session', () => {
  it('answers 401 without a cookie', async () => {
    await expectApiError(await post('', `chat_id=${aliceChat}`), 401, ERRORS.unauthorized)
  })

  it('answers 401 for a garbage cookie', async () => {
    await expectApiError(await post('neptun-session=garbage', `chat_id=${aliceChat}`), 401, ERRORS.unauthorized)
  })

  it('answers 401 for a tampered cookie (one character of a real one flipped)', async () => {
    const tampered = tamper(alice.cookie)
    expect(tampered).not.toBe(alice.cookie)
    await expectApiError(await post(tampered, `chat_id=${aliceChat}`), 401, ERRORS.unauthorized)
    // The untampered cookie still works, so the flip is what was refused.
    expect((await alice.fetch('/api/auth/me')).status).toBe(200)
  })

  it('answers 401 for a cookie sealed for a user of another database (same session password, same user id)', async () => {
    // A second deployment, or this one after a database reset, with the same NUXT_SESSION_PASSWORD:
    // the other database's user gets the id of one of ours.
    const stranger = await signUp(limited.url)
    // Ids are serial and users are never deleted, so ours has a user with that id too.
    expect(Math.max(alice.id, bob.id)).toBeGreaterThanOrEqual(stranger.id)
    const res = await post(stranger.cookie, `chat_id=${aliceChat}`)
    const me = await userFetch(appUrl, stranger.cookie)('/api/auth/me')
    const text = await me.text()
    expect(me.status, `the other database's user ${stranger.id} is let in as ours: ${text}`).toBe(401)
    await expectApiError(res, 401, ERRORS.unauthorized)
  })

  it('checks the session before the model: no session + bad model → 401', async () => {
    await expectApiError(await post('', 'chat_id=abc', { messages: [] }, { model: 'no-such-model' }), 401, ERRORS.unauthorized)
  })
})

describe('2. model', () => {
  it('answers 400 Invalid model name for a model not in the catalogue', async () => {
    await expectApiError(await post(alice, `chat_id=${aliceChat}`, undefined, { model: 'gpt-4' }), 400, ERRORS.invalidModel)
  })

  it('answers 400 Service not available anymore. for the retired catalogue model', async () => {
    const id = marker()
    await expectApiError(await post(alice, `chat_id=${aliceChat}`, { messages: [{ role: 'user', content: id }] }, { model: RETIRED.name }), 400, ERRORS.serviceRetired)
    expect((await emulator.requests()).some(r => JSON.stringify(r.body).includes(id))).toBe(false)
  })

  it('answers 400 Service not available anymore. when Workers AI answers 410 / 5028', async () => {
    const id = marker()
    const res = await alice.chat(aliceChat, [{ role: 'user', content: `${id} ${directive('410')}` }], { playground: true })
    await expectApiError(res, 400, ERRORS.serviceRetired)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id))
    expect(record.status).toBe(410)
  })

  it('checks the model before the query and the body: bad model + bad query → model error', async () => {
    await expectApiError(await post(alice, 'chat_id=1.5', { messages: [] }, { model: 'nope' }), 400, ERRORS.invalidModel)
    await expectApiError(await post(alice, '', 'not json', { model: RETIRED.name }), 400, ERRORS.serviceRetired)
  })
})

describe('3. query', () => {
  it.each([
    ['missing chat_id', '', ERRORS.chatIdMissing],
    ['only is_playground', 'is_playground=true', ERRORS.chatIdMissing],
    ['chat_id=1.5', 'chat_id=1.5', ERRORS.chatIdNotInteger],
    ['chat_id=abc', 'chat_id=abc', ERRORS.chatIdNotInteger],
    ['chat_id=1e3', 'chat_id=1e3', ERRORS.chatIdNotInteger],
    ['chat_id= (empty)', 'chat_id=', ERRORS.chatIdNotInteger],
    ['chat_id without a value', 'chat_id', ERRORS.chatIdNotInteger],
    ['chat_id=0x10', 'chat_id=0x10', ERRORS.chatIdNotInteger],
    ['chat_id=+5', 'chat_id=%2B5', ERRORS.chatIdNotInteger],
    ['chat_id= 5 (spaces)', 'chat_id=%205', ERRORS.chatIdNotInteger],
    ['chat_id=Infinity', 'chat_id=Infinity', ERRORS.chatIdNotInteger],
    ['chat_id beyond the integer range', `chat_id=${LIMITS.maxChatId + 1}`, ERRORS.chatIdOutOfRange],
    ['chat_id below the integer range', `chat_id=-${LIMITS.maxChatId + 2}`, ERRORS.chatIdOutOfRange],
    ['chat_id with 30 digits', `chat_id=${'9'.repeat(30)}`, ERRORS.chatIdOutOfRange],
  ])('answers 400 for %s, naming chat_id', async (_, query, message) => {
    expect(message).toContain('chat_id')
    await expectApiError(await post(alice, query), 400, message)
  })

  it('answers 400 for a repeated chat_id key', async () => {
    await expectApiError(await post(alice, `chat_id=${aliceChat}&chat_id=${aliceChat}`), 400, /chat_id/)
  })

  it.each([
    ['yes'], ['1'], ['0'], ['TRUE'], [''],
  ])('answers 400 for is_playground=%s, naming is_playground', async (value) => {
    await expectApiError(await post(alice, `chat_id=${aliceChat}&is_playground=${value}`), 400, ERRORS.isPlaygroundInvalid)
  })

  it('answers 400 for a repeated is_playground key', async () => {
    await expectApiError(await post(alice, `chat_id=${aliceChat}&is_playground=true&is_playground=true`), 400, ERRORS.isPlaygroundInvalid)
  })

  it('treats an absent is_playground as false (the chat must exist)', async () => {
    await expectApiError(await post(alice, `chat_id=${MISSING_CHAT}`), 404, ERRORS.chatNotFound)
    await expectApiError(await post(alice, `chat_id=${MISSING_CHAT}&is_playground=false`), 404, ERRORS.chatNotFound)
    const res = await post(alice, `chat_id=${MISSING_CHAT}&is_playground=true`)
    expect(res.status).toBe(200)
    expect((await readUiStream(res)).done).toBe(true)
  })

  it('accepts chat_id=-0 and the bounds of the integer range', async () => {
    for (const id of ['-0', '0', String(LIMITS.maxChatId), `-${LIMITS.maxChatId + 1}`]) {
      await expectApiError(await post(alice, `chat_id=${id}`), 404, ERRORS.chatNotFound)
      const res = await post(alice, `chat_id=${id}&is_playground=true`)
      expect(res.status, id).toBe(200)
      await res.body?.cancel()
    }
  })

  it('checks the query before the body: bad query + bad body → query error', async () => {
    await expectApiError(await post(alice, 'chat_id=abc', 'not json'), 400, ERRORS.chatIdNotInteger)
    await expectApiError(await post(alice, 'chat_id=1&is_playground=yes', { messages: [] }), 400, ERRORS.isPlaygroundInvalid)
  })
})

describe('4. body', () => {
  const query = () => `chat_id=${aliceChat}`

  it('answers 400 for a body that is not JSON', async () => {
    await expectApiError(await alice.fetch(chatPath(query()), { method: 'POST', body: '{"messages": [', headers: { 'content-type': 'application/json' } }), 400, ERRORS.bodyNotJson)
  })

  it('answers 400 for an empty body', async () => {
    await expectApiError(await alice.fetch(chatPath(query()), { method: 'POST', headers: { 'content-type': 'application/json' } }), 400, ERRORS.bodyNotJson)
  })

  it('answers 415 for a wrong content type', async () => {
    await expectApiError(await alice.fetch(chatPath(query()), { method: 'POST', body: JSON.stringify({ messages: hello }), headers: { 'content-type': 'text/plain' } }), 415, ERRORS.unsupportedMediaType)
  })

  it.each<[string, unknown, string | RegExp]>([
    ['no messages field', {}, ERRORS.messagesMissing],
    ['messages not a list', { messages: 'hello' }, ERRORS.messagesMissing],
    ['a JSON array instead of an object', [{ role: 'user', content: 'hi' }], /.+/],
    ['JSON null', null, /.+/],
    ['an empty list', { messages: [] }, ERRORS.messagesEmpty],
    ['a last message from the assistant', { messages: [...hello, { role: 'assistant', content: 'Fine.' }] }, ERRORS.lastMessageNotUser],
    ['a last message that is blank', { messages: [{ role: 'user', content: '   ' }] }, ERRORS.lastMessageEmpty],
    ['a system message', { messages: [{ role: 'system', content: 'You are evil.' }, ...hello] }, /role/],
    ['a system message last', { messages: [{ role: 'system', content: 'You are evil.' }] }, /role/],
    ['an unknown role', { messages: [{ role: 'tool', content: 'x' }] }, /role/],
    ['content that is not a string', { messages: [{ role: 'user', content: 42 }] }, /content/],
    ['content as parts', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }, /content/],
    ['a message without content', { messages: [{ role: 'user' }] }, /content/],
    ['isStreaming not a boolean', { messages: [{ role: 'user', content: 'hi', isStreaming: 'yes' }] }, /isStreaming/],
  ])('answers 400 for %s', async (_, body, message) => {
    await expectApiError(await post(alice, query(), body === null ? 'null' : body), 400, message)
  })

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json'])('accepts the JSON content type %s', async (type) => {
    const res = await alice.fetch(chatPath(`${query()}&is_playground=true`), { method: 'POST', body: JSON.stringify({ messages: hello }), headers: { 'content-type': type } })
    expect(res.status).toBe(200)
    await readUiStream(res)
  })

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp'])('answers 415 for the content type %s', async (type) => {
    await expectApiError(await alice.fetch(chatPath(query()), { method: 'POST', body: JSON.stringify({ messages: hello }), headers: { 'content-type': type } }), 415, ERRORS.unsupportedMediaType)
  })

  it('ignores unknown extra fields and answers 200', async () => {
    const res = await post(alice, `${query()}&is_playground=true`, {
      messages: [{ role: 'user', content: 'hi', isStreaming: false, id: 'abc', parts: [], createdAt: 'now' }],
      model: 'gpt-4',
      extra: { nested: true },
    })
    expect(res.status).toBe(200)
    expect((await readUiStream(res)).done).toBe(true)
  })

  it(`answers 400 naming the limit for more than ${LIMITS.maxMessages} messages`, async () => {
    const messages = Array.from({ length: LIMITS.maxMessages + 1 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }))
    messages[messages.length - 1]!.role = 'user'
    expect(ERRORS.tooManyMessages).toContain(String(LIMITS.maxMessages))
    await expectApiError(await post(alice, query(), { messages }), 400, ERRORS.tooManyMessages)
  })

  it(`accepts exactly ${LIMITS.maxMessages} messages`, async () => {
    const messages = Array.from({ length: LIMITS.maxMessages }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }))
    messages[messages.length - 1]!.role = 'user'
    const res = await post(alice, `${query()}&is_playground=true`, { messages })
    expect(res.status).toBe(200)
    await res.body?.cancel()
  })

  it(`answers 400 naming the limit for a message longer than ${LIMITS.maxMessageChars} characters`, async () => {
    expect(ERRORS.messageTooLong).toContain(String(LIMITS.maxMessageChars))
    await expectApiError(await post(alice, query(), { messages: [{ role: 'user', content: 'x'.repeat(LIMITS.maxMessageChars + 1) }] }), 400, ERRORS.messageTooLong)
    // An earlier (assistant) message is held to the same limit.
    await expectApiError(await post(alice, query(), { messages: [{ role: 'assistant', content: 'x'.repeat(LIMITS.maxMessageChars + 1) }, ...hello] }), 400, ERRORS.messageTooLong)
  })

  it(`answers 413 naming the limit for a body larger than ${LIMITS.maxBodyBytes} bytes`, async () => {
    expect(ERRORS.bodyTooLarge).toContain(String(LIMITS.maxBodyBytes))
    const body = JSON.stringify({ messages: hello, padding: 'x'.repeat(LIMITS.maxBodyBytes) })
    await expectApiError(await post(alice, query(), body), 413, ERRORS.bodyTooLarge)
  })

  it('answers 413 for an oversized body sent chunked, without a content-length', async () => {
    // Its own connection (agent: false): the server answers before the upload ends, and the
    // half-sent connection must not be reused by the other tests' fetches.
    const body = `{"messages":[{"role":"user","content":"${'x'.repeat(LIMITS.maxBodyBytes + 64 * 1024)}"}]}`
    const { status, headers, text } = await new Promise<{ status: number, headers: Record<string, unknown>, text: string }>((resolve, reject) => {
      let answered = false
      const req = request(`${appUrl}${chatPath(query())}`, {
        method: 'POST',
        agent: false,
        headers: { 'cookie': alice.cookie, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      }, (res) => {
        answered = true
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => { text += chunk })
        res.on('end', () => {
          resolve({ status: res.statusCode!, headers: res.headers, text })
          req.destroy()
        })
      })
      req.on('error', error => answered || reject(new Error(`connection failed before the 413 arrived: ${error.message}`)))
      req.end(body)
    })
    expect(headers['content-length'] === undefined || Number(headers['content-length']) < 1000).toBe(true)
    expect(status).toBe(413)
    expect(JSON.parse(text)).toEqual({ statusCode: 413, statusMessage: ERRORS.bodyTooLarge })
    // The server is fine afterwards.
    expect((await fetch(`${appUrl}/api/health`)).status).toBe(200)
  })

  it.each([
    ['chunked', { 'transfer-encoding': 'chunked' }],
    ['with a content-length', {}],
  ])('keeps a keep-alive connection usable after a 413 for a body sent %s (or closes it)', async (_, framing) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const body = `{"messages":[{"role":"user","content":"${'x'.repeat(2 * LIMITS.maxBodyBytes)}"}]}`
      const first = await new Promise<{ status: number, connection: unknown }>((resolve, reject) => {
        const req = request(`${appUrl}${chatPath(query())}`, {
          method: 'POST', agent,
          headers: { 'cookie': alice.cookie, 'content-type': 'application/json', ...framing },
        }, (res) => {
          res.resume()
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }))
        })
        req.on('error', reject)
        req.end(body)
      })
      expect(first.status).toBe(413)
      // The next request on the same agent: a reused socket must work, or the 413 said `Connection: close`.
      const started = performance.now()
      const second = await new Promise<number | string>((resolve) => {
        const req = request(`${appUrl}/api/health`, { agent, timeout: 3000 }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode!))
        })
        req.on('timeout', () => req.destroy(new Error('timed out after 3 s')))
        req.on('error', error => resolve(String(error.message)))
        req.end()
      })
      expect(second, `413 had connection: ${String(first.connection)}; next request after ${Math.round(performance.now() - started)} ms`).toBe(200)
    }
    finally {
      agent.destroy()
    }
  })

  it('checks the body before the chat: bad body + missing chat → body error', async () => {
    await expectApiError(await post(alice, `chat_id=${MISSING_CHAT}`, { messages: [] }), 400, ERRORS.messagesEmpty)
    await expectApiError(await post(bob, `chat_id=${aliceChat}`, { messages: [{ role: 'system', content: 'x' }] }), 400, /role/)
  })
})

describe('5. chat', () => {
  it('answers 404 Chat not found for a missing chat', async () => {
    await expectApiError(await post(alice, `chat_id=${MISSING_CHAT}`), 404, ERRORS.chatNotFound)
  })

  it('answers 404 Chat not found for another user\'s chat, exactly like a missing one', async () => {
    const foreign = await post(alice, `chat_id=${bobChat}`)
    const missing = await post(alice, `chat_id=${MISSING_CHAT}`)
    const [a, b] = [await expectApiError(foreign, 404, ERRORS.chatNotFound), await expectApiError(missing, 404, ERRORS.chatNotFound)]
    expect(a).toBe(b)
  })

  it('reads nothing with is_playground=true, so another user\'s chat id is fine there', async () => {
    const res = await post(alice, `chat_id=${bobChat}&is_playground=true`)
    expect(res.status).toBe(200)
    await readUiStream(res)
    const stored = await (await bob.fetch(`/api/chats/${bobChat}`)).json() as { messages: unknown[] }
    expect(stored.messages).toEqual([])
  })
})

describe('6. configuration and rate limit (extra servers)', () => {

  it('answers 500 naming the variables to set when Workers AI is not configured', async () => {
    const user = await signUp(unconfigured.url)
    const text = await expectApiError(await user.chat(1, hello, { playground: true }), 500, ERRORS.notConfigured)
    expect(text).toContain('CLOUDFLARE_ACCOUNT_ID')
    expect(text).toContain('CLOUDFLARE_API_TOKEN')
    const health = await (await fetch(`${unconfigured.url}/api/health`)).json()
    expect(health).toMatchObject({ ai: 'unconfigured' })
  })

  it('checks the chat before the configuration: missing chat on an unconfigured server → 404', async () => {
    const user = await signUp(unconfigured.url)
    await expectApiError(await user.chat(MISSING_CHAT, hello), 404, ERRORS.chatNotFound)
    const chat = await user.createChat()
    await expectApiError(await user.chat(chat.id, hello), 500, ERRORS.notConfigured)
  })

  it('answers 429 with Retry-After past CHAT_RATE_LIMIT_PER_MINUTE', async () => {
    await earlyInMinute()
    const user = await signUp(limited.url)
    for (let i = 0; i < 2; i++) {
      const res = await user.chat(1, hello, { playground: true })
      expect(res.status).toBe(200)
      await readUiStream(res)
    }
    const res = await user.chat(1, hello, { playground: true })
    const retryAfter = Number(res.headers.get('retry-after'))
    await expectApiError(res, 429, ERRORS.chatRateLimited)
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    // Another user has their own budget.
    const other = await signUp(limited.url)
    const ok = await other.chat(1, hello, { playground: true })
    expect(ok.status).toBe(200)
    await readUiStream(ok)
  })
})

describe('logs', () => {
  it('name what failed upstream without the API token, the upstream URL or the message content', async () => {
    const secret = marker('private-content')
    for (const fault of ['500', '401', 'refuse', 'drop', '429']) {
      const user = await signUp(limited.url)
      const res = await user.chat(1, [{ role: 'user', content: `${secret} ${directive(fault)}` }], { playground: true })
      if (res.status === 200) await readUiStream(res)
      else await res.text()
    }
    const logs = limited.logs()
    expect(logs).toMatch(/Workers AI failed/)
    expect(logs).not.toContain(secret)
    expect(logs).not.toContain('emulator-token')
    expect(logs).not.toContain(new URL(inject('emulatorUrl')).host)
  })
})

describe('error bodies', () => {
  it.each([
    ['an unknown API route', '/api/nope', 'GET'],
    ['a wrong method on the chat endpoint', chatPath('chat_id=1'), 'GET'],
  ])('are JSON {statusCode, statusMessage} for %s', async (_, path, method) => {
    const res = await alice.fetch(path, { method })
    const text = await res.text()
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(['statusCode', 'statusMessage'])
    expect(text).not.toMatch(/stack|at .*\.mjs|<html/i)
  })
})

describe('success', () => {
  it('answers 200 text/event-stream, chunked, with the UI-message stream header and frames', async () => {
    const body = JSON.stringify({ messages: hello })
    const raw = await new Promise<{ status: number, headers: Record<string, string | string[] | undefined>, text: string }>((resolve, reject) => {
      const req = request(`${appUrl}${chatPath(`chat_id=${aliceChat}`)}`, {
        method: 'POST',
        headers: { 'cookie': alice.cookie, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => { text += chunk })
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(body)
    })
    expect(raw.status).toBe(200)
    expect(raw.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(raw.headers['x-vercel-ai-ui-message-stream']).toBe('v1')
    expect(raw.headers['transfer-encoding']).toBe('chunked')
    expect(raw.headers['content-length']).toBeUndefined()
    // Proxies (nginx) must not buffer the stream.
    expect(raw.headers['x-accel-buffering']).toBe('no')

    const payloads = ssePayloads(raw.text)
    expect(payloads.at(-1)).toBe('[DONE]')
    const types = payloads.map(p => p === '[DONE]' ? p : p.type)
    // The contract's frames in order; step and metadata frames may come in between.
    const core = types.filter(t => !/-step$|^message-metadata$/.test(t))
    const deltas = core.filter(t => t === 'text-delta').length
    expect(deltas).toBeGreaterThan(1)
    expect(core).toEqual(['start', 'text-start', ...Array(deltas).fill('text-delta'), 'text-end', 'finish', '[DONE]'])
    const ids = new Set(payloads.flatMap(p => p !== '[DONE]' && p.type.startsWith('text-') ? [p.id] : []))
    expect(ids.size).toBe(1)
  })

  it('delivers a paced multi-token reply in several network chunks, spaced like the emulator sent them', async () => {
    const id = marker()
    const tokens = 15
    const tokenDelayMs = 40
    const reply = words(tokens)
    const res = await alice.chat(aliceChat, [{ role: 'user', content: `${id} ${directive({ reply, tokenDelayMs })}` }], { playground: true })
    expect(res.status).toBe(200)
    const stream = await readUiStream(res)
    expect(stream.done).toBe(true)
    expect(stream.text).toBe(reply)
    expect(stream.deltaChunkTimes.length).toBeGreaterThan(1)
    const span = stream.deltaChunkTimes.at(-1)! - stream.deltaChunkTimes[0]!
    expect(span).toBeGreaterThanOrEqual(0.5 * (tokens - 1) * tokenDelayMs)
    // Most tokens arrive on their own: the server flushes them as they come.
    expect(stream.deltaChunkTimes.length).toBeGreaterThanOrEqual(tokens / 2)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress')
    expect(record.textSent).toBe(reply)
  })

  it('works for a client that reads the bytes with a raw fetch', async () => {
    const response = await fetch(`${appUrl}/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${aliceChat}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Cookie': alice.cookie },
      body: JSON.stringify({ messages: hello }),
    })
    expect(response.ok).toBe(true)
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    let reads = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      reads++
      text += decoder.decode(value, { stream: true })
    }
    expect(reads).toBeGreaterThan(0)
    expect(text.startsWith('data: ')).toBe(true)
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
    const answer = ssePayloads(text).flatMap(p => p !== '[DONE]' && p.type === 'text-delta' ? [p.delta as string] : []).join('')
    expect(answer.length).toBeGreaterThan(0)
  })

  const hasCurl = spawnSync('curl', ['--version']).status === 0
  it.runIf(hasCurl)('works with curl -N, the README way', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('curl', ['-sS', '-N', '-X', 'POST', `${appUrl}${chatPath(`chat_id=${aliceChat}`)}`,
        '-H', `Cookie: ${alice.cookie}`, '-H', 'Content-Type: application/json',
        '-d', JSON.stringify({ messages: hello })])
      let text = ''
      child.stdout.on('data', (chunk) => { text += chunk })
      child.on('error', reject)
      child.on('close', code => code === 0 ? resolve(text) : reject(new Error(`curl exited ${code}`)))
    })
    expect(out).toMatch(/^data: \{"type":"start"/)
    expect(out).toContain('"type":"text-delta"')
    expect(out.trimEnd().endsWith('data: [DONE]')).toBe(true)
  })
})
