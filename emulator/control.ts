// HTTP control API so tests running in another process (Playwright, a Nuxt
// server under test) can drive an emulator started elsewhere.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { BehaviourQueue } from './behaviour.ts'
import type { RecordBook } from './records.ts'

export const CONTROL_PREFIX = '/__emulator'

export interface ControlDeps {
  queue: BehaviourQueue
  book: RecordBook
  readBody: (req: IncomingMessage) => Promise<string>
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

export async function handleControl(
  req: IncomingMessage, res: ServerResponse, pathname: string, deps: ControlDeps,
): Promise<void> {
  const route = `${req.method} ${pathname.slice(CONTROL_PREFIX.length)}`
  switch (route) {
    case 'GET /health':
      return json(res, 200, { ok: true })
    case 'GET /requests':
      return json(res, 200, deps.book.records)
    case 'POST /reset':
      await deps.readBody(req)
      deps.queue.clear()
      deps.book.clear()
      res.writeHead(204).end()
      return
    case 'POST /enqueue': {
      let body: { behaviour?: unknown; times?: unknown }
      try {
        body = JSON.parse(await deps.readBody(req))
      } catch {
        return json(res, 400, { error: 'body must be JSON {behaviour, times?}' })
      }
      const { behaviour, times = 1 } = body ?? {}
      if (!behaviour || typeof behaviour !== 'object' || Array.isArray(behaviour))
        return json(res, 400, { error: 'behaviour must be an object' })
      if (typeof times !== 'number' || !Number.isInteger(times) || times < 1)
        return json(res, 400, { error: 'times must be a positive integer' })
      deps.queue.push(behaviour, times)
      res.writeHead(204).end()
      return
    }
    default:
      return json(res, 404, { error: `unknown control route ${route}` })
  }
}
