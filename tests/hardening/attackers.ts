// Attackers that run beside the chaos test's turns, planned from its seed: worst-case stored
// messages rendered as chat pages, password guessing against a chaos user, a flood of new chats,
// stop requests for made-up ids, and a stolen cookie kept past its log-out. Meanwhile a prober
// times /api/health. What each saw is returned for the chaos test to check.
import { randomUUID } from 'node:crypto'
import { LIMITS } from '../../shared/contract/index.ts'
import { cookieFrom, signUp, userFetch, type TestUser } from '../support/api-client.ts'
import { sleep } from './support.ts'

export type AttackKind = 'worst-page' | 'guess' | 'create' | 'stop'

/** Shapes at the length limit that cost the markdown pipeline most (see tests/unit/linear-time.test.ts). */
const WORST = [
  `${'~'.repeat(LIMITS.maxMessageChars - 1)}\``,
  `${'`'.repeat(LIMITS.maxMessageChars - 2)}\n\``,
  '[['.repeat(LIMITS.maxMessageChars / 2),
  '|a|\n|-|\n'.repeat(LIMITS.maxMessageChars / 8),
  '**a'.repeat(LIMITS.maxMessageChars / 3),
]

export interface AttackReport {
  statuses: Record<AttackKind, number[]>
  /** Milliseconds each worst-case chat page took to render. */
  pageMs: number[]
  /** The longest /api/health took while the attacks ran. */
  healthMaxMs: number
  /** Status of a request with a cookie copied before its session logged out (401 expected). */
  stolenCookieStatus: number
  /** Chats the flooding attacker holds at the end. */
  floodedChats: number
}

export interface Attackers {
  appUrl: string
  attacker: TestUser
  flooder: TestUser
  /** One stored chat per worst case. */
  worstChats: number[]
  /** A cookie of a session that has logged out since it was copied. */
  stolenCookie: string
  /** Date.now() when the attackers began (the chat-creation limit counts in fixed minutes). */
  startedAt: number
}

/**
 * The attackers' accounts and stored worst cases, their chat pages rendered WARM_RENDERS times
 * each. `owner` logs a second session out after its cookie was copied.
 */
export async function prepareAttackers(appUrl: string, owner: TestUser): Promise<Attackers> {
  const startedAt = Date.now()
  const attacker = await signUp(appUrl)
  const flooder = await signUp(appUrl)
  const worstChats: number[] = []
  for (const content of WORST) {
    const made = await attacker.fetch('/api/chats', { method: 'POST', body: { messages: [{ role: 'user', content: 'render this' }, { role: 'assistant', content }] } })
    if (made.status !== 201) throw new Error(`storing a worst case failed: ${made.status}`)
    const { id } = await made.json() as { id: number }
    worstChats.push(id)
  }
  // Rendering these pages grows the server's heap to a plateau (V8 keeps what it grew for large
  // transient strings); reached now, before the chaos test takes its memory baseline.
  for (let round = 0; round < WARM_RENDERS; round++) {
    for (const id of worstChats) await fetch(`${appUrl}/chat/${id}`, { headers: { cookie: attacker.cookie } }).then(res => res.arrayBuffer())
  }
  const second = await fetch(`${appUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) })
  const stolenCookie = cookieFrom(second)
  await userFetch(appUrl, stolenCookie)('/api/auth/logout', { method: 'POST' })
  return { appUrl, attacker, flooder, worstChats, stolenCookie, startedAt }
}

/** Renders of each worst-case page before the attacks. */
const WARM_RENDERS = 8

/** Worst-case chat pages rendered per round of attacks: each holds the server's thread for its render. */
const PAGES_PER_ROUND = WORST.length

/**
 * Runs `count` attacks (kinds and moments drawn with `random`, PAGES_PER_ROUND of them page
 * renders) one after another until `done` resolves. `victim` is a chaos user whose password is guessed.
 */
export async function runAttackers({ appUrl, attacker, flooder, worstChats, stolenCookie }: Attackers, random: () => number, count: number, victim: TestUser, done: Promise<unknown>): Promise<AttackReport> {
  const kinds: AttackKind[] = ['guess', 'guess', 'create', 'stop']
  const plan = Array.from({ length: count }, () => ({ kind: kinds[Math.floor(random() * kinds.length)]!, shape: Math.floor(random() * WORST.length) }))
  for (let page = 0; page < PAGES_PER_ROUND; page++) plan.splice(Math.floor(random() * (plan.length + 1)), 0, { kind: 'worst-page', shape: page })
  const report: AttackReport = { statuses: { 'worst-page': [], 'guess': [], 'create': [], 'stop': [] }, pageMs: [], healthMaxMs: 0, stolenCookieStatus: 0, floodedChats: 0 }

  let running = true
  const prober = (async () => {
    while (running) {
      const started = performance.now()
      await fetch(`${appUrl}/api/health`).then(res => res.arrayBuffer()).catch(() => {})
      report.healthMaxMs = Math.max(report.healthMaxMs, performance.now() - started)
      await sleep(50)
    }
  })()

  const attack = async ({ kind, shape }: (typeof plan)[number]) => {
    if (kind === 'worst-page') {
      const started = performance.now()
      const page = await fetch(`${appUrl}/chat/${worstChats[shape]}`, { headers: { cookie: attacker.cookie }, signal: AbortSignal.timeout(30_000) }).then(async res => (await res.arrayBuffer(), res.status), () => 0)
      report.pageMs.push(performance.now() - started)
      report.statuses[kind].push(page)
    }
    else if (kind === 'guess') {
      const res = await fetch(`${appUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: victim.email, password: `guess ${randomUUID()}` }) })
      report.statuses[kind].push(res.status)
    }
    else if (kind === 'create') {
      report.statuses[kind].push((await flooder.fetch('/api/chats', { method: 'POST', body: {} })).status)
    }
    else {
      report.statuses[kind].push((await attacker.fetch(`/api/generations/${randomUUID()}/stop`, { method: 'POST' })).status)
    }
  }
  let next = 0
  let finished = false
  void done.then(() => {
    finished = true
  })
  while (next < plan.length && !finished) await attack(plan[next++]!)

  report.stolenCookieStatus = (await userFetch(appUrl, stolenCookie)('/api/chats')).status
  report.floodedChats = ((await (await flooder.fetch('/api/chats')).json()) as unknown[]).length
  running = false
  await prober
  return report
}
