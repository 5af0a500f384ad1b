// Request log plus change notification, so tests can await conditions
// (e.g. "the client closed") instead of sleeping.
import type { RequestRecord } from './types.ts'

export type NewRecord = Pick<
  RequestRecord,
  'method' | 'path' | 'accountId' | 'model' | 'authorization' | 'sessionAffinity' | 'body' | 'behaviour' | 'behaviourSource'
>

const DEFAULT_TIMEOUT_MS = 5000

export class RecordBook {
  /** Cleared in place so references held by tests stay live. */
  readonly records: RequestRecord[] = []
  private nextId = 1
  private watchers = new Set<() => void>()

  add(fields: NewRecord): RequestRecord {
    const record: RequestRecord = {
      id: this.nextId++,
      ...fields,
      receivedAt: Date.now(),
      framesSent: 0,
      tokensSent: 0,
      textSent: '',
      reasoningSent: '',
      clientClosed: false,
      outcome: 'in-progress',
    }
    this.records.push(record)
    this.notify()
    return record
  }

  notify(): void {
    for (const w of [...this.watchers]) w()
  }

  clear(): void {
    this.records.length = 0
    this.notify()
  }

  /** Resolve with the first record satisfying predicate; reject with a readable log on timeout. */
  waitFor(predicate: (r: RequestRecord) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RequestRecord> {
    return this.until(() => this.records.find(predicate), timeoutMs, 'a matching request')
  }

  waitForCount(n: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RequestRecord[]> {
    return this.until(() => (this.records.length >= n ? this.records : undefined), timeoutMs, `${n} request(s)`)
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe()
        if (found === undefined) return
        cleanup()
        resolve(found)
      }
      const timer = setTimeout(() => {
        cleanup()
        const log = this.records.map(r => `#${r.id} ${r.model} ${r.outcome} tokens=${r.tokensSent}`).join('; ')
        reject(new Error(`emulator: timed out after ${timeoutMs}ms waiting for ${what}; seen: [${log}]`))
      }, timeoutMs)
      const cleanup = () => { clearTimeout(timer); this.watchers.delete(check) }
      this.watchers.add(check)
      check()
    })
  }
}
