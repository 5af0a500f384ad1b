// The server-side measurement phases. Each returns plain numbers; run.ts prints and checks them.
import { directive } from '../../emulator/behaviour.ts'
import { cpuMicros, median, percentile, rssKiB, sleep } from '../../harness/measure.ts'
import { runStream, type StreamResult, type Target } from './load.ts'

/** A user message whose emulator directive asks for `behaviour`. */
export const question = (behaviour: Record<string, unknown>, text = 'Benchmark question.') => `${directive(behaviour)} ${text}`

export interface SaturationRound {
  framesPerSec: number
  /** Server CPU time per token frame received by the client, µs. */
  cpuUsPerFrame: number
  /** Share of one core used by the server / emulator / this client during the window. */
  serverCores: number
  emulatorCores: number
  clientCores: number
  completedStreams: number
  errors: string[]
}

/**
 * N workers each loop over long replies; token frames received during a `windowMs` window
 * (after a warm-up) are counted, and the server's CPU time over the same window is read from /proc.
 * Streams still running at the end are aborted (not counted as errors).
 */
export async function saturate(target: Target, options: {
  concurrency: number
  tokens: number
  windowMs: number
  warmMs: number
  emulatorPid: number
}): Promise<SaturationRound> {
  const content = question({ tokens: options.tokens, tokensPerFrame: 1 })
  let counting = false
  let stopping = false
  let frames = 0
  let completed = 0
  const errors: string[] = []
  const aborts = new Set<() => void>()
  const register = (abort: () => void) => {
    aborts.add(abort)
    return () => { aborts.delete(abort) }
  }
  const onFrames = (n: number) => { if (counting) frames += n }
  const worker = async (slot: number) => {
    while (!stopping) {
      const r = await runStream(target, content, slot, { onFrames, register })
      if (r.aborted) continue
      if (r.error || !r.complete || r.frames !== options.tokens) {
        if (!stopping) errors.push(r.error ?? `incomplete stream: ${r.frames}/${options.tokens} frames, done=${r.complete}`)
        if (errors.length > 20) stopping = true
      }
      else if (counting) completed++
    }
  }
  const workers = Array.from({ length: options.concurrency }, (_, i) => worker(i))
  await sleep(options.warmMs)
  const pid = target.pid()
  const cpu0 = cpuMicros(pid)
  const emu0 = cpuMicros(options.emulatorPid)
  const self0 = process.cpuUsage()
  const t0 = performance.now()
  counting = true
  await sleep(options.windowMs)
  counting = false
  const seconds = (performance.now() - t0) / 1000
  const cpu1 = cpuMicros(pid)
  const emu1 = cpuMicros(options.emulatorPid)
  const self1 = process.cpuUsage(self0)
  stopping = true
  for (const abort of aborts) abort()
  await Promise.all(workers)
  await sleep(200) // let the server finish the aborted turns before the next round
  return {
    framesPerSec: frames / seconds,
    cpuUsPerFrame: frames ? (cpu1 - cpu0) / frames : Number.NaN,
    serverCores: (cpu1 - cpu0) / 1e6 / seconds,
    emulatorCores: (emu1 - emu0) / 1e6 / seconds,
    clientCores: (self1.user + self1.system) / 1e6 / seconds,
    completedStreams: completed,
    errors,
  }
}

export interface TtftRound {
  p50: number
  p99: number
  errors: string[]
  samples: number[]
}

/** `concurrency` simultaneous streams (or one after another when 1), time to first token. */
export async function ttftBurst(target: Target, options: { concurrency: number, tokens: number }): Promise<TtftRound> {
  const content = question({ tokens: options.tokens })
  const results: StreamResult[] = await Promise.all(
    Array.from({ length: options.concurrency }, (_, i) => runStream(target, content, i)),
  )
  const errors = results.filter(r => r.error || !r.complete).map(r => r.error ?? `incomplete: ${r.frames} frames`)
  const samples = results.map(r => r.ttftMs)
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), errors, samples }
}

export interface SlowResult {
  streams: number
  errors: number
  errorSamples: string[]
  baselineRssKiB: number
  plateauRssKiB: number
  rssPerStreamKiB: number
  gapP50: number
  gapP99: number
  /** p99 inter-token gap minus the emulator's nominal pacing (ms). */
  addedGapP99VsPacing: number
  plateauSamples: number
  plateauKind: string
  /** Server CPU time over the phase ÷ token frames received: the per-token cost when tokens arrive one by one. */
  cpuUsPerToken: number
  ramptimeMs: number
  cpuCores: number
}

/**
 * `streams` concurrent paced streams (the emulator sends one token every `delayMs`). Reports
 * errors, the server's RSS growth per open stream on the plateau (every stream has its first
 * token, none has finished) and the inter-token gaps the client saw.
 */
export async function slowStreams(target: Target, options: { streams: number, tokens: number, delayMs: number, rampMs?: number, timeoutMs?: number }): Promise<SlowResult> {
  const pid = target.pid()
  const base: number[] = []
  for (let i = 0; i < 5; i++) {
    base.push(rssKiB(pid))
    await sleep(100)
  }
  const baselineRssKiB = median(base)
  const content = question({ tokens: options.tokens, tokenDelayMs: options.delayMs }, 'Slow answer please.')
  let firstTokens = 0
  let finished = 0
  const gaps: number[] = []
  const t0 = performance.now()
  let rampDone = Number.NaN
  const cpu0 = cpuMicros(pid)
  const aborts = new Set<() => void>()
  let timedOut = 0
  const deadline = setTimeout(() => {
    timedOut = aborts.size
    for (const abort of aborts) abort()
  }, options.timeoutMs ?? (options.rampMs ?? 0) + 3 * options.tokens * options.delayMs + 30_000)
  const runs = Array.from({ length: options.streams }, async (_, i) => {
    // Arrivals spread over rampMs (0: all at once).
    if (options.rampMs) await sleep((options.rampMs * i) / options.streams)
    let seen = false
    const r = await runStream(target, content, i, {
      gaps,
      register: (abort) => {
        aborts.add(abort)
        return () => { aborts.delete(abort) }
      },
      onFrames: () => {
        if (seen) return
        seen = true
        firstTokens++
        if (firstTokens === options.streams) rampDone = performance.now() - t0
      },
    })
    finished++
    return r
  })
  // Plateau: every stream has its first token and none has finished. When the server is too slow
  // to start them all before the first ones end, fall back to "all requests in flight, none finished".
  const plateau: number[] = []
  const allInFlight: number[] = []
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const inFlightAll = performance.now() - t0 > (options.rampMs ?? 0) + 500 && finished === 0
      if (firstTokens === options.streams && finished === 0) plateau.push(rssKiB(pid))
      else if (inFlightAll) allInFlight.push(rssKiB(pid))
      await sleep(250)
    }
  })()
  const results = await Promise.all(runs)
  clearTimeout(deadline)
  const seconds = (performance.now() - t0) / 1000
  const cpu1 = cpuMicros(pid)
  sampling = false
  await sampler
  const bad = results.filter(r => r.error || r.aborted || !r.complete || r.frames !== options.tokens)
  const plateauKind = plateau.length ? 'all streaming' : allInFlight.length ? 'all in flight (not all had a token yet)' : 'none'
  const plateauRssKiB = median(plateau.length ? plateau : allInFlight)
  const gapP99 = percentile(gaps, 99)
  return {
    streams: options.streams,
    errors: bad.length,
    errorSamples: bad.slice(0, 3).map(r => r.aborted ? `timed out (${timedOut} streams still open at the deadline)` : r.error ?? `incomplete: ${r.frames}/${options.tokens} frames, done=${r.complete}`),
    baselineRssKiB,
    plateauRssKiB,
    rssPerStreamKiB: (plateauRssKiB - baselineRssKiB) / options.streams,
    gapP50: percentile(gaps, 50),
    gapP99,
    addedGapP99VsPacing: gapP99 - options.delayMs,
    plateauSamples: plateau.length || allInFlight.length,
    plateauKind,
    ramptimeMs: rampDone,
    cpuCores: (cpu1 - cpu0) / 1e6 / seconds,
    cpuUsPerToken: (cpu1 - cpu0) / Math.max(1, results.reduce((n, r) => n + r.frames, 0)),
  }
}
