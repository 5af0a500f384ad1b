// A lean streaming HTTP client for the load phases: node:http with one keep-alive agent that can
// hold thousands of sockets. It counts token frames by scanning bytes for a marker (no JSON
// parsing), so the client stays cheap next to the servers it measures.
import http from 'node:http'

export const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 2048 })

// A server ends an idle keep-alive connection after 5 s (Node's default), and a request sent on
// it as it closes fails with "socket hang up" or ECONNRESET: the full run's bursts of 100 met this
// after a slow peer's burst had kept the others idle about that long. Pooled sockets idle for
// longer than IDLE_REUSE_MS are closed before a stream starts, instead of reused.
const IDLE_REUSE_MS = 4000
const freeSince = new WeakMap<object, number>()
agent.on('free', socket => freeSince.set(socket, performance.now()))

function dropIdleSockets(): void {
  const now = performance.now()
  for (const sockets of Object.values(agent.freeSockets)) {
    if (!sockets) continue
    const idle = sockets.filter(socket => now - (freeSince.get(socket) ?? now) > IDLE_REUSE_MS)
    if (!idle.length) continue
    // Taken out of the pool here: the agent skips a destroyed socket only at the pool's far end.
    sockets.splice(0, sockets.length, ...sockets.filter(socket => !idle.includes(socket)))
    for (const socket of idle) socket.destroy()
  }
}

export interface Target {
  name: 'app' | 'pipe' | 'stock'
  /** Builds one request for a user message (directive included); `slot` picks the chat. */
  request: (content: string, slot: number) => { url: string, headers: Record<string, string>, body: string }
  /** Bytes that occur exactly once per token frame. */
  marker: Buffer
  pid: () => number
}

export interface StreamResult {
  status: number
  frames: number
  /** Request start → first chunk with a token frame (ms). NaN if none. */
  ttftMs: number
  totalMs: number
  /** Ended with `data: [DONE]`. */
  complete: boolean
  aborted: boolean
  error?: string
}

export interface StreamOptions {
  /** Called with the number of token frames in each chunk as it arrives. */
  onFrames?: (n: number, now: number) => void
  /** Per-token inter-arrival gaps (ms) are pushed here: first token of a chunk gets the gap, the rest 0. */
  gaps?: number[]
  /** Registers a function that aborts this stream (used at the end of a timed window). */
  register?: (abort: () => void) => () => void
}

const DONE = Buffer.from('data: [DONE]')

export function runStream(target: Target, content: string, slot: number, options: StreamOptions = {}): Promise<StreamResult> {
  const { url, headers, body } = target.request(content, slot)
  dropIdleSockets()
  const marker = target.marker
  const m = marker.length
  return new Promise((resolve) => {
    const started = performance.now()
    let status = 0
    let frames = 0
    let ttftMs = Number.NaN
    let carry: Buffer | undefined
    let tail: Buffer = Buffer.alloc(0)
    let last = Number.NaN
    let aborted = false
    let settled = false
    let errorBody = ''
    // The last two chunks, kept by reference (no copy on the hot path) to say how a stream ended.
    let previousChunk: Buffer | undefined
    let lastChunk: Buffer | undefined
    const finish = (error?: string) => {
      if (settled) return
      settled = true
      unregister?.()
      const complete = tail.includes(DONE)
      // A 200 that ends without [DONE] says how it ended: the last bytes name the error frame, if any.
      if (!complete && !aborted && !error && status === 200) {
        const ending = Buffer.concat([previousChunk, lastChunk].filter(c => c !== undefined)).subarray(-300).toString()
        error = `ended without [DONE] after ${frames} frames: …${JSON.stringify(ending)}`
      }
      resolve({ status, frames, ttftMs, totalMs: performance.now() - started, complete, aborted, error })
    }
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      status = res.statusCode ?? 0
      if (status !== 200) {
        res.setEncoding('utf8')
        res.on('data', (c: string) => { if (errorBody.length < 500) errorBody += c })
        res.on('end', () => finish(`HTTP ${status}: ${errorBody.slice(0, 300)}`))
        res.on('error', () => finish(`HTTP ${status}`))
        return
      }
      res.on('data', (chunk: Buffer) => {
        const now = performance.now()
        const buf = carry ? Buffer.concat([carry, chunk]) : chunk
        let n = 0
        let at = buf.indexOf(marker)
        let end = 0
        while (at >= 0) {
          n++
          end = at + m
          at = buf.indexOf(marker, end)
        }
        carry = buf.subarray(Math.max(end, buf.length - (m - 1)))
        tail = buf.length >= 32 ? buf.subarray(buf.length - 32) : Buffer.concat([tail, buf]).subarray(-32)
        previousChunk = lastChunk
        lastChunk = chunk
        if (n > 0) {
          if (frames === 0) ttftMs = now - started
          if (options.gaps) {
            if (!Number.isNaN(last)) options.gaps.push(now - last)
            for (let i = 1; i < n; i++) options.gaps.push(0)
          }
          last = now
          frames += n
          options.onFrames?.(n, now)
        }
      })
      res.on('end', () => finish())
      res.on('error', (e) => finish(aborted ? undefined : `response error: ${e.message}`))
      res.on('close', () => finish(aborted || res.complete ? undefined : 'response closed early'))
    })
    const unregister = options.register?.(() => {
      aborted = true
      req.destroy()
    })
    req.on('error', (e) => finish(aborted ? undefined : `request error: ${e.message}`))
    req.end(body)
  })
}
