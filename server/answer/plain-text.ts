import type { AnswerEncoding } from './events.ts'

/**
 * The answer as bare UTF-8 text, for `curl -N -H 'Accept: text/plain'`: the text deltas as they
 * come and nothing else (no thinking, no metadata, no frames). An answer that breaks off simply
 * ends; its stored status says how it ended.
 *
 * @example return answerResponse(event).send(generation.events(metadata), plainText())
 */
export function plainText(): AnswerEncoding {
  return {
    // Cloudflare's edge (and wrangler dev, which copies it) gzips text/plain for clients that
    // accept it, holding the stream back until it ends, unless the response names its encoding.
    // no-transform asks the same of any other proxy.
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'identity', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
    encode: event => event.type === 'text-delta' ? event.delta : '',
  }
}
