// The cost of a whole turn, per database: a fresh app on PGlite and one on PostgreSQL (a throwaway
// 15), each measured against the byte pipe in the same phase, rounds interleaved. Every request is
// a real turn: the session, the chat's ownership, the rate limiter (on, out of reach), the question
// and the answer's row, the answer stored at the end. Also what each server holds at rest.
import { signUp } from '../../harness/api-client.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { median, percentile, rssKiB, sleep } from '../../harness/measure.ts'
import { startApp, type BenchApp } from './app.ts'
import { runStream, type Target } from './load.ts'
import { question, saturate, ttftBurst } from './phases.ts'

export type DatabaseName = 'pglite' | 'postgres'

export interface DatabaseTurns {
  database: DatabaseName
  /** Server RSS once started and idle, and again after `restTurns` turns and a pause (KiB). */
  rssStartKiB: number
  rssAfterTurnsKiB: number
  restTurns: number
  /** Whole turns completed per second, app and pipe, medians of interleaved rounds. */
  turnsPerSec: { app: number, pipe: number }
  /** Time to first token (ms), one at a time and in bursts of 100: app and pipe. */
  ttft1: { app: { p50: number, p99: number }, pipe: { p50: number, p99: number } }
  ttft100: { app: { p50: number, p99: number }, pipe: { p50: number, p99: number } }
  errors: string[]
}

export interface DatabaseTurnsOptions {
  emulatorUrl: string
  serverEntry: string
  pipe: Target
  emulatorPid: number
  /** Concurrent turns and the length of each answer for the whole-turn figure (20 × 250). */
  concurrency: number
  tokens: number
  rounds: number
  windowMs: number
  ttft1: number
  ttft100Bursts: number
  restTurns: number
}

const MODEL = 'llama-3.3-70b-instruct-fp8-fast'
const DELTA = Buffer.from('"type":"text-delta"')

/** A signed-up user with one saved chat per slot on `app`: each slot's turns go to its own chat. */
async function turnTarget(app: BenchApp, slots: number): Promise<Target> {
  const user = await signUp(app.url)
  const chats = await Promise.all(Array.from({ length: slots }, (_, i) => user.createChat(`turns ${i}`)))
  return {
    name: 'app', marker: DELTA, pid: () => app.pid,
    request: (content, slot) => ({
      url: `${app.url}/api/ai/cloudflare/${MODEL}/chat?chat_id=${chats[slot % chats.length]!.id}`,
      headers: { 'content-type': 'application/json', 'cookie': user.cookie },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    }),
  }
}

/** RSS after a pause and a collection chance: what the server keeps, not what it is busy with. */
async function restingRss(pid: number): Promise<number> {
  await sleep(1500)
  return rssKiB(pid)
}

export async function measureDatabaseTurns(database: DatabaseName, options: DatabaseTurnsOptions): Promise<DatabaseTurns> {
  let pg: TestPostgres | undefined
  let app: BenchApp | undefined
  const errors: string[] = []
  try {
    if (database === 'postgres') pg = await startPostgres()
    // The rate limiter on but out of reach: its statement is part of every turn, as in production.
    app = await startApp({ emulatorUrl: options.emulatorUrl, serverEntry: options.serverEntry, databaseUrl: pg?.url, env: { CHAT_RATE_LIMIT_PER_MINUTE: '1000000' } })
    const rssStartKiB = await restingRss(app.pid)
    const target = await turnTarget(app, Math.max(options.concurrency, 100))

    // At rest after turns: a few at a time, short answers, as people chat.
    const short = question({ tokens: 50 })
    for (let i = 0; i < options.restTurns; i += 4) {
      const results = await Promise.all(Array.from({ length: Math.min(4, options.restTurns - i) }, (_, k) => runStream(target, short, k)))
      errors.push(...results.filter(r => r.error || !r.complete).map(r => `${database} rest turn: ${r.error ?? 'incomplete'}`))
    }
    const rssAfterTurnsKiB = await restingRss(app.pid)

    const targets = { app: target, pipe: options.pipe }
    const names = ['app', 'pipe'] as const
    for (const n of names) await ttftBurst(targets[n], { concurrency: 20, tokens: 50 }) // warm-up (JIT, pools)

    const ttft1 = { app: [] as number[], pipe: [] as number[] }
    for (let i = 0; i < options.ttft1; i++) {
      for (const n of names) {
        const r = await ttftBurst(targets[n], { concurrency: 1, tokens: 20 })
        ttft1[n].push(...r.samples)
        errors.push(...r.errors.map(e => `${database} ${n} ttft@1: ${e}`))
      }
    }
    const ttft100 = { app: [] as { p50: number, p99: number }[], pipe: [] as { p50: number, p99: number }[] }
    for (let b = 0; b < options.ttft100Bursts; b++) {
      for (const n of names) {
        const r = await ttftBurst(targets[n], { concurrency: 100, tokens: 256 })
        ttft100[n].push({ p50: r.p50, p99: r.p99 })
        errors.push(...r.errors.map(e => `${database} ${n} ttft@100: ${e}`))
        await sleep(200)
      }
    }

    const turns = { app: [] as number[], pipe: [] as number[] }
    for (let round = 0; round < options.rounds; round++) {
      for (const n of round % 2 ? [...names].reverse() : names) {
        const r = await saturate(targets[n], { concurrency: options.concurrency, tokens: options.tokens, windowMs: options.windowMs, warmMs: 300, emulatorPid: options.emulatorPid })
        turns[n].push(r.framesPerSec / options.tokens)
        errors.push(...r.errors.map(e => `${database} ${n} whole turns: ${e}`))
      }
    }

    const at = (samples: number[]) => ({ p50: percentile(samples, 50), p99: percentile(samples, 99) })
    const burst = (rounds: { p50: number, p99: number }[]) => ({ p50: median(rounds.map(r => r.p50)), p99: median(rounds.map(r => r.p99)) })
    return {
      database,
      rssStartKiB,
      rssAfterTurnsKiB,
      restTurns: options.restTurns,
      turnsPerSec: { app: median(turns.app), pipe: median(turns.pipe) },
      ttft1: { app: at(ttft1.app), pipe: at(ttft1.pipe) },
      ttft100: { app: burst(ttft100.app), pipe: burst(ttft100.pipe) },
      errors,
    }
  }
  finally {
    await app?.stop()
    pg?.stop()
  }
}
