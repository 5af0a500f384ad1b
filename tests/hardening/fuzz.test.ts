// Bad input, generated with fast-check: FUZZ_RUNS requests (default 10,000) at the chat endpoint,
// every other API route and the chat page, with odd methods, path ids, query values, bodies
// (messages shaped to make parsers backtrack, at the length limit), content types, cookies and
// client addresses (X-Forwarded-For behind TRUST_PROXY=2, CF-Connecting-IP). Expected: no 5xx at all, every error is exactly {statusCode, statusMessage} JSON, and
// the server still answers a normal chat afterwards. Replay a run with FUZZ_SEED=<printed seed>.
//
// The chat endpoint is fuzzed against a healthy emulator: a generated request that passes
// validation reaches it and gets a normal answer, so a 5xx from the chat endpoint is a failure too.
import postgres from 'postgres'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MODEL_NAME, LIMITS, MODELS } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { signUp, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { chatTurn, checkErrorShape, mapLimit } from './support.ts'

const RUNS = Number(process.env.FUZZ_RUNS) || 10_000
const SEED = Number(process.env.FUZZ_SEED) || (Date.now() % 2 ** 31)
const CONCURRENCY = 16

let pg: TestPostgres
let emulator: Emulator
let app: AppServer
/** The fuzzer's main user: owns a chat with messages, so generated ids can hit real rows. */
let owner: TestUser
let ownedChatId: number
let ownedMessageIds: number[]
/** Cookies the fuzzer picks from. */
const cookies: Record<string, string> = {}

beforeAll(async () => {
  pg = await startPostgres()
  emulator = await startEmulator({ tokenDelayMs: 0 })
  app = await startAppServer({ emulatorUrl: emulator.url, databaseUrl: pg.url, env: { TRUST_PROXY: '2' } })
  owner = await signUp(app.url)
  const created = await owner.fetch('/api/chats', { method: 'POST', body: { title: 'fuzz', messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }] } })
  ownedChatId = (await created.json() as { id: number }).id
  const chat = await (await owner.fetch(`/api/chats/${ownedChatId}`)).json() as { messages: { id: number }[] }
  ownedMessageIds = chat.messages.map(m => m.id)

  // A deleted user: signed up, then its row removed from the database (there is no delete-user
  // route); its cookie is still well sealed but names a user that no longer exists.
  const deleted = await signUp(app.url)
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} })
  await sql`delete from users where id = ${deleted.id}`
  await sql.end()
  // A revoked user: "log out everywhere" bumped its session version.
  const revoked = await signUp(app.url)
  expect((await revoked.fetch('/api/auth/logout-all', { method: 'POST' })).status).toBe(204)

  const value = owner.cookie.slice('neptun-session='.length)
  const middle = Math.floor(value.length / 2)
  Object.assign(cookies, {
    none: '',
    valid: owner.cookie,
    deleted: deleted.cookie,
    revoked: revoked.cookie,
    tampered: `neptun-session=${value.slice(0, middle)}${value[middle] === 'A' ? 'B' : 'A'}${value.slice(middle + 1)}`,
    truncated: `neptun-session=${value.slice(0, middle)}`,
    garbage: 'neptun-session=%E0%A4%A',
    empty: 'neptun-session=',
    doubled: `${owner.cookie}; ${deleted.cookie}`,
    foreign: `neptun-session=Fe26.2**${'a'.repeat(64)}*${'b'.repeat(22)}*${'c'.repeat(43)}**${'d'.repeat(64)}*${'e'.repeat(43)}`,
  })
})

afterAll(async () => {
  await app?.stop()
  await emulator?.close()
  pg?.stop()
})

// ---- Generators ----

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

/** Path and query values that trip naive parsers. */
const oddNumbers = ['1e3', '0x10', '-0', '0', '-1', '1.5', '01', '+1', ' 1', '1 ', 'NaN', 'Infinity', String(LIMITS.maxChatId), String(LIMITS.maxChatId + 1), '9'.repeat(30), '1'.repeat(400), '9007199254740993', '-2147483649']
const oddStrings = ['', 'null', 'undefined', 'true', 'false', 'TRUE', '[]', '{}', '%00', '%ZZ', '%', '%2F', '%2e%2e', '..', '💥', 'é', '\u202e', '%E2%82%AC', '%F0%9F%92%A5', '<script>', "'; drop table users; --"]

const idValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...oddNumbers, ...oddStrings) },
  { weight: 3, arbitrary: fc.constant('OWNED_CHAT') },
  { weight: 2, arbitrary: fc.constant('OWNED_MESSAGE') },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 5000 }).map(String) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.uuid() },
)

const queryKey = fc.constantFrom('chat_id', 'chat_id', 'is_playground', 'from', 'from', 'before', 'before', 'chat_id[]', 'chat_id[a]', 'from[]', 'before[]', '__proto__', 'constructor[prototype][x]', 'x')
const queryPairs = fc.array(fc.tuple(queryKey, idValue), { maxLength: 5 })

const model = fc.oneof(
  { weight: 6, arbitrary: fc.constant(DEFAULT_MODEL_NAME) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.map(m => m.name)) },
  { weight: 2, arbitrary: fc.constantFrom('', '%00', '..', 'LLAMA-3.3-70B-INSTRUCT-FP8-FAST', '@cf%2Fmeta%2Fllama', '%ZZ', '💥') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(encodeURIComponent) },
)

/** Route templates; `:id`, `:gen` and `:model` are filled in. The first method is the route's own. */
const ROUTES: { path: string, methods: readonly string[] }[] = [
  { path: '/api/ai/cloudflare/:model/chat', methods: ['POST'] },
  { path: '/api/ai/models', methods: ['GET'] },
  { path: '/api/auth/login', methods: ['POST'] },
  { path: '/api/auth/logout', methods: ['POST'] },
  { path: '/api/auth/logout-all', methods: ['POST'] },
  { path: '/api/auth/me', methods: ['GET'] },
  { path: '/api/auth/password', methods: ['POST'] },
  { path: '/api/auth/sign-up', methods: ['POST'] },
  { path: '/api/chats', methods: ['GET', 'POST'] },
  { path: '/api/chats/:id', methods: ['GET', 'PATCH', 'DELETE'] },
  { path: '/api/chats/:id/messages', methods: ['DELETE'] },
  { path: '/api/chats/:id/stream', methods: ['GET'] },
  { path: '/api/generations/:gen/stop', methods: ['POST'] },
  { path: '/api/health', methods: ['GET'] },
  { path: '/api/usage', methods: ['GET'] },
  { path: '/api/:id', methods: ['GET'] },
  { path: '/chat/:id', methods: ['GET'] },
]

/** Text shaped to make a parser backtrack: a run of one character or a short pattern up to the length limit, then a stray character. */
const backtracking = fc.tuple(
  fc.constantFrom('`', '~', '*', '_', '[', '<', '|a|\n|-|\n', '[[', '**a', '~~~ `', '> ', '- ', ' \n', 'a@', 'http://a.'),
  fc.constantFrom('`', '\n', ']', '\u2028', ''),
  fc.integer({ min: 1, max: LIMITS.maxMessageChars }),
).map(([unit, tail, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, Math.max(0, length - tail.length)) + tail)

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  backtracking,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFF\uD800', '\u202e\u0000', 'x'.repeat(LIMITS.maxMessageChars + 1), 'x'.repeat(LIMITS.maxMessageChars)),
)
const message = fc.record({
  role: fc.oneof(fc.constantFrom('user', 'assistant'), fc.constantFrom('system', 'tool', '', 'USER', null, 1)),
  content: fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
}, { requiredKeys: [] })

const email = fc.oneof(fc.emailAddress(), text, fc.constantFrom('a@b', `${'a'.repeat(LIMITS.maxEmailLength)}@x.io`, 'A@EXAMPLE.TEST '))
const password = fc.oneof(text, fc.constantFrom('short', 'x'.repeat(LIMITS.maxPasswordLength + 1), 'wrong horse battery'))

const nested = (depth: number, kind: 'array' | 'object') => kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
const HUGE = `{"messages":[{"role":"user","content":"${'x'.repeat(LIMITS.maxBodyBytes)}"}]}`

/** Bodies as raw text (JSON or not), so duplicate keys and broken JSON stay possible. */
const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: fc.record({ messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] }).map(v => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.record({ email, password }, { requiredKeys: [] }).map(v => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.record({ currentPassword: password, newPassword: password }, { requiredKeys: [] }).map(v => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.record({ title: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })), messages: fc.array(message, { maxLength: 3 }), model: fc.oneof(model, fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }).map(v => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.jsonValue().map(v => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(10, 1000, 100_000), fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>, fc.boolean())
    .map(([depth, kind, wrapped]) => wrapped ? `{"messages":${nested(depth, kind)}}` : nested(depth, kind)) },
  { weight: 2, arbitrary: fc.constantFrom(
    '{"messages":[{"role":"user","content":"a"}],"messages":"x"}',
    '{"title":"a","title":5}',
    '{"email":"a@b.c","email":{"$ne":null},"password":"x"}',
    '{"messages":[{"role":"user","content":"a","content":{"x":1}}]}',
    '{"__proto__":{"isAdmin":true},"title":"p"}',
  ) },
  { weight: 2, arbitrary: fc.constantFrom('hello', '{', '[1,2', 'undefined', 'NaN', '{"a":1}garbage', '\u0000', '\uFEFF{"title":"bom"}', 'title=x&messages=y', '') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
)

const contentType = fc.constantFrom(
  'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON',
  'application/vnd.api+json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/jsonx', 'application/json, text/plain', '', undefined,
)

interface FuzzRequest {
  route: number
  method: string
  id: string
  gen: string
  model: string
  query: [string, string][]
  body: string | undefined
  contentType: string | undefined
  cookie: string
  origin: string | undefined
  /** [header, value] for the client address: X-Forwarded-For or CF-Connecting-IP. */
  address: [string, string] | undefined
}

const addressValue = fc.oneof(
  fc.ipV4(), fc.ipV6(), fc.ipV4Extended(),
  fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 6 }).map(list => list.join(', ')),
  fc.constantFrom('', ',', ', , ,', 'unknown', '::ffff:10.0.0.1', 'fe80::1%eth0', '1'.repeat(5000), `${'1.'.repeat(2000)}1`, `${':'.repeat(3000)}1`),
)

const request: fc.Arbitrary<FuzzRequest> = fc.record({
  route: fc.integer({ min: 0, max: ROUTES.length - 1 }),
  ownMethod: fc.boolean(),
  method: fc.constantFrom(...METHODS),
  id: idValue,
  gen: fc.oneof(fc.uuid(), idValue),
  model,
  query: queryPairs,
  body,
  contentType,
  cookie: fc.constantFrom('none', 'valid', 'valid', 'valid', 'deleted', 'revoked', 'tampered', 'truncated', 'garbage', 'empty', 'doubled', 'foreign'),
  // Mostly no Origin (like curl); sometimes a foreign or broken one (403 by the CSRF check).
  origin: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1', 'not a url') }),
  address: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x-forwarded-for', 'cf-connecting-ip'), addressValue) }),
}).map(({ ownMethod, route, method, origin, address, ...rest }) => ({
  ...rest,
  route,
  method: ownMethod ? ROUTES[route]!.methods[0]! : method,
  origin: origin ?? undefined,
  address: address ?? undefined,
}))

function resolve(r: FuzzRequest): { url: string, init: RequestInit, path: string } {
  const fill = (value: string) => value === 'OWNED_CHAT' ? String(ownedChatId) : value === 'OWNED_MESSAGE' ? String(ownedMessageIds[0]) : value
  const path = ROUTES[r.route]!.path.replace(':model', r.model).replace(':gen', fill(r.gen)).replace(':id', fill(r.id))
  const query = r.query.map(([key, value]) => `${key}=${fill(value)}`).join('&')
  // Logging out (here, or everywhere) with the main cookie (alone, or first of two) would end the fuzzer's own session.
  const endsSession = ['/api/auth/logout', '/api/auth/logout-all'].includes(ROUTES[r.route]!.path)
  const cookie = endsSession && (r.cookie === 'valid' || r.cookie === 'doubled') ? cookies.revoked! : cookies[r.cookie]!
  const headers: Record<string, string> = {}
  if (cookie) headers.cookie = cookie
  if (r.contentType !== undefined) headers['content-type'] = r.contentType
  if (r.origin) headers.origin = r.origin
  if (r.address) headers[r.address[0]] = r.address[1]
  const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD'
  return { path, url: `${app.url}${path}${query ? `?${query}` : ''}`, init: { method: r.method, headers, body: hasBody ? r.body : undefined } }
}

describe(`fuzzing the API with ${RUNS} generated requests`, () => {
  it('answers no 5xx, every error as {statusCode, statusMessage} JSON, and a normal chat afterwards', async () => {
    console.log(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`)
    const requests = fc.sample(request, { numRuns: RUNS, seed: SEED })
    const statuses = new Map<number, number>()
    const failures: string[] = []
    let serverErrors = 0
    let transportErrors = 0
    const started = performance.now()

    await mapLimit(requests, CONCURRENCY, async (r) => {
      const { url, init, path } = resolve(r)
      let res: Response
      let text: string
      try {
        res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
        text = await res.text()
      }
      catch (error) {
        transportErrors++
        failures.push(`${init.method} ${url.slice(0, 200)}: no answer (${(error as Error).message})`)
        return
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      const describe = () => `${init.method} ${url.slice(0, 200)} [${r.cookie}, ${r.contentType}] body ${JSON.stringify(r.body?.slice(0, 120))} → ${res.status} ${text.slice(0, 200)}`
      if (res.status >= 500) {
        serverErrors++
        failures.push(describe())
        return
      }
      // Pages answer errors with Nuxt's HTML error page; the API with {statusCode, statusMessage}.
      if (res.status >= 400 && init.method !== 'HEAD' && path.startsWith('/api')) {
        const problem = checkErrorShape(res.status, res.headers.get('content-type'), text)
        if (problem) failures.push(`${problem}: ${describe()}`)
      }
      // An /api/ path never answers with the app's HTML page (a 200 that hides a missing route).
      // (`/api/..` is resolved by the URL parser before it is sent: that request is for `/`.)
      if (res.headers.get('content-type')?.includes('text/html') && new URL(url).pathname.startsWith('/api')) failures.push(`HTML from the API: ${describe().slice(0, 300)}`)
      else if (res.status === 200 && init.method === 'POST' && path.endsWith('/chat') && !text.includes('"type":"finish"')) failures.push(`chat 200 without finish: ${describe()}`)
    })

    const seconds = (performance.now() - started) / 1000
    const unhandled = (app.logs().match(/\[api\] unhandled error/g) ?? []).length
    const htmlFromApi = failures.filter(f => f.startsWith('HTML from the API')).length
    console.log([
      `[fuzz] ${requests.length} requests in ${seconds.toFixed(1)} s (${Math.round(requests.length / seconds)}/s, ${CONCURRENCY} at a time)`,
      `  5xx: ${serverErrors}, no answer: ${transportErrors}, unhandled errors logged: ${unhandled}, other failures: ${failures.length - serverErrors - transportErrors}`,
      `  statuses: ${[...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ')}`,
    ].join('\n'))
    // 5xx first, then a few of each other kind.
    const kinds = new Map<string, string[]>()
    for (const failure of failures) {
      const kind = / → 5\d\d /.test(failure) ? '5xx' : failure.split(':')[0]!
      kinds.set(kind, [...(kinds.get(kind) ?? []), failure])
    }
    for (const [kind, list] of [...kinds].sort(([a], [b]) => (a === '5xx' ? -1 : b === '5xx' ? 1 : 0))) {
      console.log(`[fuzz] ${kind}: ${list.length}, e.g.\n  ${list.slice(0, kind === '5xx' ? 10 : 3).map(f => f.slice(0, 400)).join('\n  ')}`)
    }
    if (unhandled) console.log(`[fuzz] server log, unhandled errors:\n${app.logs().split('\n').filter(line => /unhandled|Error/.test(line)).slice(0, 20).join('\n')}`)

    // The server still serves a normal chat, to an existing and to a new user.
    for (const user of [owner, await signUp(app.url)]) {
      const chat = await user.createChat()
      const turn = await chatTurn(app.url, user.cookie, chat.id, 'A normal question after the fuzzing')
      expect(turn.status).toBe(200)
      expect(turn.sawFinish).toBe(true)
    }

    expect(serverErrors).toBe(0)
    expect(transportErrors).toBe(0)
    expect(unhandled).toBe(0)
    expect(failures.filter(f => !f.startsWith('HTML from the API'))).toEqual([])
    // Unknown /api/ routes and methods answer the app's HTML page with 200 instead of a JSON 404/405.
    expect(htmlFromApi).toBe(0)
  })
})

// What the fuzzer found, pinned down: PostgreSQL text cannot hold NUL (0x00), so a NUL in any
// text field must be refused as bad input (4xx), not reach the database and come back as a 500.
describe('NUL bytes in text fields', () => {
  const NUL = 'a\u0000b'
  const cases: [string, string, string, (user: TestUser) => unknown][] = [
    ['log-in email', 'POST', '/api/auth/login', () => ({ email: `x${NUL}@example.test`, password: 'whatever1' })],
    ['log-in password', 'POST', '/api/auth/login', user => ({ email: user.email, password: `pass${NUL}word` })],
    ['sign-up email', 'POST', '/api/auth/sign-up', () => ({ email: `x${NUL}@example.test`, password: 'long enough pw' })],
    ['sign-up password', 'POST', '/api/auth/sign-up', () => ({ email: `nul-${Date.now()}@example.test`, password: `long enough${NUL}pw` })],
    ['new chat title', 'POST', '/api/chats', () => ({ title: NUL })],
    ['saved conversation', 'POST', '/api/chats', () => ({ messages: [{ role: 'user', content: NUL }] })],
    ['rename title', 'PATCH', '/api/chats/CHAT', () => ({ title: NUL })],
    ['chat message', 'POST', `/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=CHAT`, () => ({ messages: [{ role: 'user', content: `hello ${NUL}` }] })],
    ['new password', 'POST', '/api/auth/password', user => ({ currentPassword: user.password, newPassword: `new pass${NUL}word` })],
  ]

  it.each(cases)('%s with a NUL byte → 4xx JSON error, not 500', async (_name, method, path, body) => {
    const user = await signUp(app.url)
    const chat = await user.createChat()
    const res = await user.fetch(path.replace('CHAT', String(chat.id)), { method, body: body(user) })
    const text = await res.text()
    expect(res.status, text).toBeLessThan(500)
    if (res.status >= 400) expect(checkErrorShape(res.status, res.headers.get('content-type'), text)).toBeUndefined()
    // Whatever was accepted is stored as sent.
    if (res.status === 200 && path.includes('/chat?')) {
      const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as { messages: { content: string }[] }
      expect(stored.messages[0]?.content).toBe(`hello ${NUL}`)
    }
  })
})
