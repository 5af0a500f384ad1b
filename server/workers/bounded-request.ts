import { ERRORS } from '../../shared/contract/errors'
import { LIMITS } from '../../shared/contract/limits'

/** A refused body is still taken in (and dropped) for this long or this much, at most. */
const DISCARD_MS = 2000
const DISCARD_BYTES = 16 * 1024 * 1024

function tooLarge(): Response {
  return new Response(JSON.stringify({ statusCode: 413, statusMessage: ERRORS.bodyTooLarge }), {
    status: 413,
    statusText: ERRORS.bodyTooLarge,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}

/** Reads and drops what is left of a body, up to DISCARD_BYTES. */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let dropped = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      dropped += value.byteLength
      if (dropped > DISCARD_BYTES) return await reader.cancel()
    }
  }
  catch {}
}

/**
 * The request, when its body stays within `maxBytes`; else the API's 413. A declared
 * Content-Length is judged before a byte of the body is read. A body sent without one (chunked)
 * is kept in memory up to the limit only; past it, the rest is dropped as it comes until the body
 * ends, for DISCARD_MS or DISCARD_BYTES at most, then the 413 goes out. A client (or a proxy in
 * front) still uploading may not read an answer before its upload is done.
 *
 * @example const bounded = await boundedRequest(request) // Request, or the 413 Response
 */
export async function boundedRequest(request: Request, maxBytes: number = LIMITS.maxBodyBytes): Promise<Request | Response> {
  if (!request.body) return request
  const declared = request.headers.get('content-length')
  if (declared !== null) return Number(declared) > maxBytes ? tooLarge() : request
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await Promise.race([discardRest(reader), new Promise(resolve => setTimeout(resolve, DISCARD_MS))])
      return tooLarge()
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new Request(request, { body })
}
