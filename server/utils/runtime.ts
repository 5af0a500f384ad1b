import type { IncomingMessage, ServerResponse } from 'node:http'
import type { H3Event } from 'h3'

/** True inside Cloudflare Workers (workerd), where Node's sockets and long-lived state differ. */
export const ON_WORKERS = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers'

/**
 * The Node request and response of `event` when they sit on a real socket. Undefined on Workers
 * and for Nitro's in-process fetch, whose request and response are unenv stand-ins (marked
 * `__unenv__`): there the body is already buffered and the answer goes back as a web stream.
 * tests/unit/internals.test.ts fails if unenv stops marking them.
 */
export function nodeSocketOf(event: H3Event): { req: IncomingMessage, res: ServerResponse } | undefined {
  const { req, res } = event.node ?? {}
  return req && res && !('__unenv__' in res) && !('__unenv__' in req) ? { req, res } : undefined
}
