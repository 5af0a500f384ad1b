// @vitest-environment nuxt
// The highlight worker runs TextMate grammars on model output. A job it does not answer in time
// (a grammar backtracking on a hostile line) ends the worker: the block shows plain text and the
// next block gets a fresh worker, instead of nothing ever being highlighted again.
import { afterEach, describe, expect, it, vi } from 'vitest'

class StuckWorker {
  static started: StuckWorker[] = []
  onmessage: ((event: MessageEvent) => void) | null = null
  onerror: (() => void) | null = null
  terminated = false
  posted: unknown[] = []
  constructor() {
    StuckWorker.started.push(this)
  }

  postMessage(job: unknown) {
    this.posted.push(job)
  }

  terminate() {
    this.terminated = true
  }
}

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('the highlight worker', () => {
  it('is ended when a job takes more than 10 s; the block falls back to plain text and the next job gets a new worker', async () => {
    vi.useFakeTimers()
    vi.stubGlobal('Worker', StuckWorker)
    vi.resetModules()
    const { highlightCode } = await import('~/utils/highlighter')
    const stuck = highlightCode('const a = 1', 'ts')
    expect(StuckWorker.started).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(10_001)
    expect(await stuck).toBeNull()
    expect(StuckWorker.started[0]!.terminated).toBe(true)
    void highlightCode('const b = 2', 'ts')
    expect(StuckWorker.started).toHaveLength(2)
    expect(StuckWorker.started[1]!.posted).toHaveLength(1)
  })
})
