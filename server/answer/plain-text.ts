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
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
    encode: event => event.type === 'text-delta' ? event.delta : '',
  }
}
