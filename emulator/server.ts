// Cloudflare Workers AI REST emulator on node:http. Routes the real API
// (/client/v4/accounts/:id/ai/run/:model) and the /__emulator control API.
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Behaviour, EmulatorOptions, RequestRecord } from './types.ts'
import { API_PREFIX, CODES, messages as text } from './wire.ts'
import { EMULATED_MODELS, emulatedModel, RETIRED } from './models.ts'
import { BehaviourQueue, directiveFromBody, titleBehaviour } from './behaviour.ts'
import { checkBody, checkModel, parseBody } from './validate.ts'
import { destroy, sendError, sendInjectedError, sendReply } from './respond.ts'
import type { Exchange } from './respond.ts'
import { handleControl } from './control.ts'
import { RecordBook } from './records.ts'

export type { Behaviour, EmulatorOptions, RequestRecord } from './types.ts'

export interface Emulator {
  /** `http://HOST:PORT/client/v4` — the value to use as the Cloudflare API base. */
  url: string
  /** `http://HOST:PORT` — where /__emulator/* lives. */
  origin: string
  port: number
  host: string
  accountId: string
  token: string
  /** Live array of request records (same array object across reset()). */
  readonly requests: RequestRecord[]
  /** The next `times` run requests get this behaviour (FIFO, before directives). */
  enqueue(behaviour: Behaviour, times?: number): void
  /** Resolves with the records once at least n requests have arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RequestRecord[]>
  /** Resolves with the first record matching predicate (re-checked on every change). */
  waitFor(predicate: (r: RequestRecord) => boolean, timeoutMs?: number): Promise<RequestRecord>
  /** Clear the behaviour queue and the records. */
  reset(): void
  /** Destroy every open socket and stop listening; never hangs on stalled streams. */
  close(): Promise<void>
}

const RUN_ROUTE = /^\/client\/v4\/accounts\/([^/]+)\/ai\/run\/(.+)$/
const MAX_BODY = 16 * 1024 * 1024

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) req.destroy(new Error('body too large'))
      else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value ?? null
}

function decode(s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}

function writeJson(res: ServerResponse, record: RequestRecord, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
  record.status = status
  record.outcome = 'completed'
  record.endedAt = Date.now()
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1'
  const accountId = options.accountId ?? 'emulator-account'
  const token = options.token ?? 'emulator-token'
  const known = new Set(options.knownModels ?? [...EMULATED_MODELS.map(model => model.id), ...RETIRED.keys()])
  const deprecated = new Set(options.deprecatedModels ?? RETIRED.keys())
  const queue = new BehaviourQueue()
  const book = new RecordBook()
  const sockets = new Set<Socket>()
  const inflight = new Set<AbortController>()
  let closing = false
  /** Accounts and models whose licence was accepted (`{"prompt":"agree"}`); kept across reset(), like Cloudflare's. */
  const agreed = new Set<string>()

  async function handleRun(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const route = RUN_ROUTE.exec(pathname)
    const raw = await readBody(req)
    const parsed = parseBody(raw)
    const auth = req.headers.authorization ?? null
    // A title request answers a title, so the app's background naming leaves the queue to the
    // answers it is meant for. Otherwise the first match wins: queue, then a directive in the
    // last user message, then the default.
    const forTitle = titleBehaviour(parsed.value)
    const fromQueue = route && !forTitle ? queue.shift() : null
    const fromDirective = fromQueue || forTitle ? null : directiveFromBody(parsed.value)
    const behaviour = forTitle ?? fromQueue ?? fromDirective ?? options.defaultBehaviour ?? {}
    const record = book.add({
      method: req.method ?? 'GET', path: pathname,
      accountId: route ? decode(route[1]) : null, model: route ? decode(route[2]) : null,
      authorization: auth, sessionAffinity: headerOf(req, 'x-session-affinity'), body: parsed.value, behaviour: structuredClone(behaviour),
      behaviourSource: forTitle ? 'title' : fromQueue ? 'queue' : fromDirective ? 'directive' : options.defaultBehaviour ? 'default' : 'none',
    })

    const controller = new AbortController()
    inflight.add(controller)
    let ours = false
    res.on('close', () => {
      inflight.delete(controller)
      // 'close' also fires after a normal end; only an unfinished response means the peer left.
      if (!res.writableFinished && !ours && !closing) {
        record.clientClosed = true
        record.clientClosedAt = Date.now()
        if (record.outcome === 'in-progress') record.outcome = 'client-closed'
      }
      record.endedAt ??= Date.now()
      controller.abort()
      book.notify()
    })
    const ex: Exchange = {
      res, record, signal: controller.signal,
      destroyByServer: () => { ours = true }, notify: () => book.notify(),
    }

    if (behaviour.refuse) return destroy(ex, 'refused')
    if (!route) return sendError(ex, 404, CODES.noRoute, text.noRoute)
    // Order follows Cloudflare: authentication, then routing, then the model, then the input.
    if (!auth || !auth.trim()) return sendError(ex, 400, CODES.missingAuth, text.missingAuth)
    if (auth !== `Bearer ${token}`) return sendError(ex, 401, CODES.authError, text.authError)
    if (record.accountId !== accountId) return sendError(ex, 404, CODES.badRoute, text.badRoute(pathname))
    if (req.method !== 'POST') return sendError(ex, 405, CODES.methodNotAllowed, text.methodNotAllowed)
    const modelFailure = checkModel(record.model ?? '', known, deprecated, RETIRED.get(record.model ?? ''))
    if (modelFailure) return sendError(ex, modelFailure.status, modelFailure.code, modelFailure.message)
    const model = emulatedModel(record.model ?? '')
    if (model.agreement) {
      const key = `${accountId}\n${model.id}`
      if ((parsed.value as { prompt?: unknown } | null)?.prompt === 'agree') {
        agreed.add(key)
        writeJson(res, record, 200, { result: { response: 'Thank you for agreeing to the license and acceptable use policy.' }, success: true, errors: [], messages: [] })
        return
      }
      if (!agreed.has(key)) return sendError(ex, 403, CODES.licenceNotAgreed, text.licenceNotAgreed(model.id))
    }
    const checked = checkBody(parsed, model)
    if (!checked.ok) return sendError(ex, checked.failure.status, checked.failure.code, checked.failure.message)
    if (behaviour.error || behaviour.successFalseWith200) return sendInjectedError(ex, behaviour)
    return sendReply(ex, model, checked.input, checked.promptTokens, behaviour, options.tokenDelayMs ?? 0)
  }

  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://emulator').pathname
    const work = pathname.startsWith('/__emulator/')
      ? handleControl(req, res, pathname, { queue, book, readBody })
      : handleRun(req, res, pathname)
    work.catch((err: unknown) => {
      // An emulator bug must surface loudly in tests, not hang them.
      console.error('[emulator] handler failed:', err)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ emulatorError: String(err) }))
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  return {
    url: `${origin}${API_PREFIX}`, origin, port, host, accountId, token,
    get requests() { return book.records },
    enqueue: (behaviour, times = 1) => queue.push(behaviour, times),
    waitForRequests: (n, timeoutMs) => book.waitForCount(n, timeoutMs),
    waitFor: (predicate, timeoutMs) => book.waitFor(predicate, timeoutMs),
    reset: () => { queue.clear(); book.clear() },
    async close() {
      if (closing) return
      closing = true
      for (const c of inflight) c.abort()
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      server.closeAllConnections()
      await closed
    },
  }
}
