// The transports: an answer's events written to a real Node socket (frames that are ready
// together leave in one write; a client that leaves is reported and stops the reading), and as
// a web stream where there is no socket (Workers, Nitro's in-process fetch).
import { once } from 'node:events'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createEvent } from 'h3'
import { callNodeRequestHandler } from 'node-mock-http'
import { afterEach, describe, expect, it } from 'vitest'
import type { AnswerEncoding, AnswerEvent } from '#server/answer/events'
import { answerResponse } from '#server/answer/response'

/** Writes each event as one line naming it, so what reached the client is easy to read. */
const lines: AnswerEncoding = {
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  encode: event => `${event.type === 'text-delta' ? event.delta : event.type}\n`,
}

const start: AnswerEvent = { type: 'start', metadata: {} }
const delta = (text: string): AnswerEvent => ({ type: 'text-delta', delta: text })
const end: AnswerEvent = { type: 'end', status: 'complete' }

/** Events from `steps`: an event, or a pause in ms. Records whether the reader ended them. */
function eventsOf(steps: (AnswerEvent | number)[]) {
  const seen = { returned: false }
  const events = (async function* () {
    try {
      for (const step of steps) {
        if (typeof step === 'number') await new Promise(resolve => setTimeout(resolve, step))
        else yield step
      }
    }
    finally {
      seen.returned = true
    }
  })()
  return { events, seen }
}

let server: http.Server | undefined
afterEach(() => {
  server?.closeAllConnections()
  server?.close()
})

/** A Node server whose one route sends `events` through answerResponse, counting res.write calls. */
async function serve(steps: (AnswerEvent | number)[]) {
  const { events, seen } = eventsOf(steps)
  const state = { writes: 0, gone: 0, sent: undefined as Promise<void> | undefined }
  server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const write = res.write.bind(res) as (chunk: string) => boolean
    res.write = ((chunk: string) => {
      state.writes++
      return write(chunk)
    }) as typeof res.write
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

  it('reports a client that leaves and stops reading the events', async () => {
    const { url, seen, state } = await serve([start, delta('a'), ...Array.from({ length: 200 }, (_, i) => [10, delta(`t${i}`)]).flat()])
    const controller = new AbortController()
    const res = await fetch(url, { signal: controller.signal })
    const reader = res.body!.getReader()
    await reader.read()
    controller.abort()
    await state.sent
    expect(state.gone).toBe(1)
    expect(seen.returned).toBe(true)
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

  it('reports the client gone and ends the events when the stream is cancelled', async () => {
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
