// Typed client for the emulator's HTTP control API (see control.ts), for
// tests that run in a different process from the emulator.
import type { Behaviour, RequestRecord } from './types.ts'

export type { Behaviour, RequestRecord } from './types.ts'

export interface EmulatorControl {
  health(): Promise<boolean>
  enqueue(behaviour: Behaviour, times?: number): Promise<void>
  requests(): Promise<RequestRecord[]>
  reset(): Promise<void>
  /** Poll until a record matches predicate; resolves with it. */
  waitForRequest(predicate?: (r: RequestRecord) => boolean, timeoutMs?: number): Promise<RequestRecord>
  /** Poll until at least n records exist. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RequestRecord[]>
}

const POLL_MS = 25

/** baseUrl may be the origin or the API base (`…/client/v4`); only the origin is used. */
export function emulatorControl(baseUrl: string): EmulatorControl {
  const origin = new URL(baseUrl).origin

  async function call(method: string, path: string, body?: unknown): Promise<Response> {
    const res = await fetch(`${origin}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`emulator control ${method} ${path} failed: ${res.status} ${await res.text()}`)
    return res
  }

  async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = await probe()
      if (found !== undefined) return found
      if (Date.now() >= deadline) throw new Error(`emulator: timed out after ${timeoutMs}ms waiting for ${what}`)
      await new Promise(r => setTimeout(r, POLL_MS))
    }
  }

  const requests = async (): Promise<RequestRecord[]> => (await call('GET', '/requests')).json() as Promise<RequestRecord[]>

  return {
    async health() {
      try {
        return ((await (await call('GET', '/health')).json()) as { ok?: boolean }).ok === true
      } catch {
        return false
      }
    },
    async enqueue(behaviour, times = 1) {
      await call('POST', '/enqueue', { behaviour, times })
    },
    requests,
    async reset() {
      await call('POST', '/reset')
    },
    waitForRequest(predicate = () => true, timeoutMs = 5000) {
      return poll(async () => (await requests()).find(predicate), timeoutMs, 'a matching request')
    },
    waitForRequests(n, timeoutMs = 5000) {
      return poll(async () => {
        const all = await requests()
        return all.length >= n ? all : undefined
      }, timeoutMs, `${n} request(s)`)
    },
  }
}
