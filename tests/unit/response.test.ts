// The transports: an answer's events written to a real Node socket (frames that are ready
// together leave in one write; a client that leaves is reported and its reader closed, while the
// answer goes on), and as a web stream where there is no socket (Workers, Nitro's in-process fetch).
import { once } from 'node:events'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createEvent } from 'h3'
import { callNodeRequestHandler } from 'node-mock-http'
import { afterEach, describe, expect, it } from 'vitest'
import type { AnswerEncoding, AnswerEvent, AnswerReader } from '#server/answer/events'
import { liveAnswer } from '#server/answer/live-answer'
import { answerResponse } from '#server/answer/response'

/** Writes each event as one line naming it, so what reached the client is easy to read. */
const lines: AnswerEncoding = {
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  encode: event => `${event.type === 'text-delta' ? event.delta : event.type}\n`,
}

const start: AnswerEvent = { type: 'start', metadata: {} }
const delta = (text: string): AnswerEvent => ({ type: 'text-delta', delta: text })
const end: AnswerEvent = { type: 'end', status: 'complete' }

/**
 * A live answer that emits `steps` (an event, or a pause in ms), and one reader of it. Records
 * whether the reader was closed and whether the answer ran to its end.
 */
function eventsOf(steps: (AnswerEvent | number)[]) {
  const seen = { returned: false, ended: false }
  const answer = liveAnswer(async (emit) => {
    for (const step of steps) {
      if (typeof step === 'number') await new Promise(resolve => setTimeout(resolve, step))
      else emit(step)
    }
    seen.ended = true
  })
  const reader = answer.read()
  const events: AnswerReader = {
    ...reader,
    close: () => {
      seen.returned = true
      reader.close()
    },
  }
  return { events, seen, answer }
}

let server: http.Server | undefined
afterEach(() => {
  server?.closeAllConnections()
  server?.close()
})

/**
 * A Node server whose one route sends a new answer of `steps` through answerResponse, counting
 * the socket writes (res.write, and res.end with the last events).
 */
async function serve(steps: (AnswerEvent | number)[]) {
  const seen = { returned: false, ended: false }
  const state = { writes: 0, gone: 0, sent: undefined as Promise<void> | undefined }
  server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    for (const method of ['write', 'end'] as const) {
      const original = res[method].bind(res) as (chunk?: string) => unknown
      res[method] = ((chunk?: string) => {
        if (chunk) state.writes++
        return original(chunk)
      }) as never
    }
    const { events, seen: answerSeen } = eventsOf(steps)
    Object.defineProperties(seen, { returned: { get: () => answerSeen.returned }, ended: { get: () => answerSeen.ended } })
    const response = answerResponse(createEvent(req, res))
    response.onClientGone(() => state.gone++)
    state.sent = response.send(events, lines) as Promise<void>
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, state }
}

describe('answerResponse on a Node socket', () => {
  it('writes the events that are ready together in one write, with the encoding\'s headers', async () => {
    const { url, state } = await serve([start, delta('a'), delta('b'), delta('c'), 20, delta('d'), end])
    const res = await fetch(url)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('start\na\nb\nc\nd\nend\n')
    await state.sent
    // start…c were ready at once, then d and end after the pause: two writes, not six.
    expect(state.writes).toBe(2)
    expect(state.gone).toBe(0)
  })

  it('reports a client that leaves and closes its reader; the answer goes on', async () => {
    const { url, seen, state } = await serve([start, delta('a'), ...Array.from({ length: 20 }, (_, i) => [10, delta(`t${i}`)]).flat()])
    const controller = new AbortController()
    const res = await fetch(url, { signal: controller.signal })
    const reader = res.body!.getReader()
    await reader.read()
    controller.abort()
    await state.sent
    expect(state.gone).toBe(1)
    expect(seen.returned).toBe(true)
    expect(seen.ended).toBe(false)
    await expect.poll(() => seen.ended).toBe(true)
  })

  it('lets a slow client fall behind without copying: it reads every event, in order, once it drains', async () => {
    const big = 'x'.repeat(64 * 1024)
    const steps = [start, ...Array.from({ length: 64 }, () => delta(big)), end]
    const { url, state } = await serve(steps)
    const res = await fetch(url)
    const reader = res.body!.getReader()
    let text = new TextDecoder().decode((await reader.read()).value)
    // The answer goes on while this client does not read; it catches up afterwards.
    await new Promise(resolve => setTimeout(resolve, 200))
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    await state.sent
    expect(text).toBe(`start\n${`${big}\n`.repeat(64)}end\n`)
  })
})

describe('answerResponse without a socket', () => {
  /** A response the way Nitro's in-process fetch and Workers make them (unenv stand-ins). */
  async function standIn() {
    let response: ReturnType<typeof answerResponse> | undefined
    await callNodeRequestHandler((req, res) => {
      response = answerResponse(createEvent(req, res))
    }, { url: '/' })
    return response!
  }

  it('returns a web stream of the encoded events', async () => {
    const { events, seen } = eventsOf([start, delta('a'), 5, delta('b'), end])
    const body = (await standIn()).send(events, lines)
    expect(body).toBeInstanceOf(ReadableStream)
    expect(await new Response(body as ReadableStream<Uint8Array>).text()).toBe('start\na\nb\nend\n')
    expect(seen.returned).toBe(true)
  })

  it('reports the client gone and closes its reader when the stream is cancelled', async () => {
    const response = await standIn()
    let gone = 0
    response.onClientGone(() => gone++)
    const { events, seen } = eventsOf([start, delta('x'), 200, delta('never')])
    const reader = (response.send(events, lines) as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    await reader.cancel()
    expect(gone).toBe(1)
    expect(seen.returned).toBe(true)
  })
})
