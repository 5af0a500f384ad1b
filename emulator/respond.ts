// Writing one answer (error envelope, SSE stream or JSON body) while applying
// the chosen Behaviour's faults and keeping the RequestRecord up to date.
import type { ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { EmulatedModel } from './models.ts'
import { replyOf } from './reply.ts'
import type { Behaviour, ReplyToken, RequestRecord, RunInput } from './types.ts'
import {
  CODES, DONE_FRAME, MALFORMED_FRAME, completionEnvelope, errorEnvelope, frameWriter, messages as text,
  successEnvelope, usageOf,
} from './wire.ts'

/** Everything the writer needs about the in-flight exchange. */
export interface Exchange {
  res: ServerResponse
  record: RequestRecord
  /** Aborted when the client leaves or the emulator closes. */
  signal: AbortSignal
  /** Marks the next socket close as ours, so it is not reported as a client abort. */
  destroyByServer: () => void
  /** Wake up waitFor() watchers after a record change. */
  notify: () => void
}

/** Resolves after ms, or early when the exchange is aborted; true if still alive. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  if (ms <= 0) return Promise.resolve(true)
  return new Promise(resolve => {
    const done = () => { clearTimeout(t); resolve(!signal.aborted) }
    const t = setTimeout(() => { signal.removeEventListener('abort', done); resolve(true) }, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

function finish(ex: Exchange, outcome: RequestRecord['outcome']): void {
  ex.record.outcome = outcome
  ex.record.endedAt = Date.now()
  ex.notify()
}

function writeHead(ex: Exchange, status: number, headers: Record<string, string>): void {
  // Cloudflare tags every AI response with a request id; harmless for clients.
  ex.res.writeHead(status, { ...headers, 'cf-ai-req-id': randomUUID() })
  ex.record.status = status
}

export function sendError(ex: Exchange, status: number, code: number, message: string, retryAfter?: number): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
  writeHead(ex, status, headers)
  ex.res.end(JSON.stringify(errorEnvelope(code, message)))
  finish(ex, 'error-envelope')
}

/** Destroy the socket without a proper HTTP ending (network failure simulation). */
export function destroy(ex: Exchange, outcome: 'dropped' | 'refused'): void {
  ex.destroyByServer()
  finish(ex, outcome)
  const socket = ex.res.socket
  if (!socket) return
  // destroy() discards writes still queued in userland, so let the frames
  // already "sent" reach the client first — a real drop loses only what follows.
  // An empty write's callback runs once everything queued before it is flushed.
  socket.write(Buffer.alloc(0), () => socket.destroy())
}

/** Leave the response open with nothing more to come; ends when the client leaves. */
function stall(ex: Exchange): void {
  ex.record.outcome = 'stalled'
  ex.notify()
}

function defaultMessage(code: number, model: string): string {
  if (code === CODES.capacity) return text.capacity
  if (code === CODES.deprecated) return text.deprecated(model)
  if (code === CODES.authError) return text.authError
  if (code === CODES.internal) return text.internal
  return `Emulated error ${code}`
}

/** behaviour.error / successFalseWith200, after an optional first-token delay. */
export async function sendInjectedError(ex: Exchange, b: Behaviour): Promise<void> {
  if (!(await pause(b.firstTokenDelayMs ?? 0, ex.signal))) return
  const code = b.error?.code ?? CODES.internal
  const status = b.successFalseWith200 ? 200 : (b.error?.status ?? 500)
  const message = b.error?.message ?? defaultMessage(code, ex.record.model ?? '')
  sendError(ex, status, code, message, b.error?.retryAfter)
}

function recordTokens(ex: Exchange, chunk: ReplyToken[]): void {
  const r = ex.record
  r.firstFrameAt ??= Date.now()
  r.framesSent++
  r.tokensSent += chunk.length
  for (const token of chunk) {
    if (token.kind === 'answer') r.textSent += token.text
    else if (token.kind === 'reasoning') r.reasoningSent += token.text
  }
  ex.notify()
}

export async function sendReply(
  ex: Exchange, model: EmulatedModel, input: RunInput, promptTokens: number, b: Behaviour, defaultDelayMs: number,
): Promise<void> {
  const { tokens, cut } = replyOf(model, input, b)
  const usage = usageOf(promptTokens, tokens.length)
  const delay = b.tokenDelayMs ?? defaultDelayMs
  if (!input.stream) return sendJson(ex, model, tokens, usage, cut, b, delay)

  writeHead(ex, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  ex.res.flushHeaders() // a stalled client must still see 200 + headers
  if (b.stall === 'before-first-token') return stall(ex)
  if (!(await pause(b.firstTokenDelayMs ?? 0, ex.signal))) return
  const writer = frameWriter(model)
  const head = writer.head(promptTokens)
  if (head) ex.res.write(head)

  // "After N tokens" triggers fire at the boundary min(N, length): a short
  // reply still gets its fault after its last token, before the usage frame.
  const at = (n: number | undefined) => (n === undefined ? undefined : Math.min(Math.max(0, n), tokens.length))
  const stallAt = typeof b.stall === 'number' ? at(b.stall) : undefined
  const dropAt = at(b.dropAfterTokens)
  const malformedAt = at(b.malformedAfterTokens)
  const perFrame = Math.max(1, Math.floor(b.tokensPerFrame ?? 1))
  let sent = 0
  let malformedDone = false
  for (;;) {
    if (ex.signal.aborted) return
    if (sent === stallAt) return stall(ex)
    if (sent === dropAt) return destroy(ex, 'dropped')
    if (sent === malformedAt && !malformedDone) {
      ex.res.write(MALFORMED_FRAME)
      malformedDone = true
    }
    if (sent >= tokens.length) break
    if (sent > 0 && !(await pause(delay, ex.signal))) return
    // Shrink the frame so that fault boundaries land exactly between frames, and so that a
    // chunk's delta carries one kind of token (thinking or text).
    let n = Math.min(perFrame, tokens.length - sent)
    for (const t of [stallAt, dropAt, malformedAt]) if (t !== undefined && t > sent) n = Math.min(n, t - sent)
    if (model.stream !== 'workers-ai') {
      const kind = tokens[sent]!.kind
      for (let i = 1; i < n; i++) if (tokens[sent + i]!.kind !== kind) n = i
    }
    const chunk = tokens.slice(sent, sent + n)
    ex.res.write(writer.tokens(chunk))
    sent += n
    recordTokens(ex, chunk)
  }
  ex.res.write(writer.tail(usage, cut))
  if (!b.omitDone) ex.res.write(DONE_FRAME)
  ex.res.end()
  finish(ex, 'completed')
}

/** Non-streaming: wait as long as generation would take, then one JSON body. */
async function sendJson(
  ex: Exchange, model: EmulatedModel, tokens: ReplyToken[], usage: ReturnType<typeof usageOf>, cut: boolean, b: Behaviour, delay: number,
): Promise<void> {
  const wait = (b.firstTokenDelayMs ?? 0) + delay * Math.max(0, tokens.length - 1)
  if (b.stall !== undefined) {
    writeHead(ex, 200, { 'content-type': 'application/json' })
    ex.res.flushHeaders()
    return stall(ex)
  }
  if (!(await pause(wait, ex.signal))) return
  if (b.dropAfterTokens !== undefined) return destroy(ex, 'dropped')
  writeHead(ex, 200, { 'content-type': 'application/json' })
  if (b.malformedAfterTokens !== undefined) {
    ex.res.end('{not json')
    return finish(ex, 'completed')
  }
  const joined = (kind: ReplyToken['kind']) => tokens.filter(t => t.kind === kind).map(t => t.text).join('')
  const body = model.stream === 'workers-ai'
    ? successEnvelope(tokens.map(t => t.text).join(''), usage)
    : completionEnvelope(model, joined('answer'), joined('reasoning'), usage, cut)
  ex.res.end(JSON.stringify(body))
  recordTokens(ex, tokens)
  finish(ex, 'completed')
}
