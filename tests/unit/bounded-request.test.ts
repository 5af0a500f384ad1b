// The Worker's body-size check (server/workers/bounded-request.ts), with bodies that never end:
// Nitro on Workers reads a whole body into memory before any handler runs, so this check is
// what stands between a client and the isolate's memory.
import { describe, expect, it } from 'vitest'
import { ERRORS, LIMITS } from '../../shared/contract/index.ts'
import { boundedRequest } from '../../server/workers/bounded-request.ts'

/** A body stream that yields `chunk` forever (or `count` times), counting what was read from it. */
function streamOf(chunk: Uint8Array, count = Infinity) {
  const read = { bytes: 0 }
  let sent = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= count) return controller.close()
      read.bytes += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  return { stream, read }
}

const post = (body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('https://neptun.example/api/chats', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)

async function expect413(result: Request | Response) {
  expect(result).toBeInstanceOf(Response)
  const res = result as Response
  expect(res.status).toBe(413)
  expect(res.headers.get('content-type')).toBe('application/json')
  expect(await res.json()).toEqual({ statusCode: 413, statusMessage: ERRORS.bodyTooLarge })
}

describe('boundedRequest (the Worker\'s entry)', () => {
  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { stream, read } = streamOf(new Uint8Array(64 * 1024))
    await expect413(await boundedRequest(post(stream, { "content-length": String(50_000_000) })))
    expect(read.bytes).toBeLessThanOrEqual(64 * 1024)
  })

  it('keeps a body without Content-Length in memory up to the limit only, drops the rest for at most 2 s or 16 MiB, then answers', async () => {
    const endless = streamOf(new Uint8Array(64 * 1024))
    const started = performance.now()
    await expect413(await boundedRequest(post(endless.stream)))
    expect(performance.now() - started).toBeLessThan(5000)
    expect(endless.read.bytes).toBeGreaterThan(LIMITS.maxBodyBytes)
    expect(endless.read.bytes).toBeLessThanOrEqual(LIMITS.maxBodyBytes + 16 * 1024 * 1024 + 3 * 64 * 1024)

    // A body that ends soon after the limit is taken in to its end before the answer.
    const finite = streamOf(new Uint8Array(64 * 1024), 20)
    await expect413(await boundedRequest(post(finite.stream)))
    expect(finite.read.bytes).toBe(20 * 64 * 1024)
  })

  it('hands on a body within the limit, byte for byte', async () => {
    const chunk = new TextEncoder().encode('{"title":"ok"}')
    const { stream } = streamOf(chunk, 3)
    const result = await boundedRequest(post(stream))
    expect(result).toBeInstanceOf(Request)
    expect(await (result as Request).text()).toBe('{"title":"ok"}'.repeat(3))
    const declared = post(streamOf(chunk, 1).stream, { 'content-length': String(chunk.byteLength) })
    expect(await boundedRequest(declared)).toBe(declared)
  })
})
