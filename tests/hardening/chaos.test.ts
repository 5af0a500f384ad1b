// The chaos test: many concurrent chat turns across users and chats with random upstream faults
// and random clients that leave (their answers go on, or a next question supersedes them), then the invariants, checked against what the API has stored:
// nothing acknowledged is lost, nothing is stored twice, every stored answer is exactly the text
// its client received with the status it saw, and the server's memory comes back down.
//
// Beside the turns, attackers planned from the same seed (attackers.ts) store worst-case messages
// and render them as chat pages, guess a chaos user's password, flood new chats and stop requests
// and keep a cookie past its log-out; their limits must hold and /api/health must stay quick.
//
// CI size: CHAOS_TURNS=150 (default). Full run: CHAOS_TURNS=1000. Replay: CHAOS_SEED=<printed seed>.
import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULTS, ERRORS, type StoredMessage } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { signUp, type TestUser } from '../support/api-client.ts'
import { startEmulator, type Emulator, type RequestRecord } from '../../emulator/server.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'
import { prepareAttackers, runAttackers, type AttackReport } from './attackers.ts'
import { allStoredMessages, chatTurn, mapLimit, rssKiB, seededRandom, sleep, storedAnswerAfter, type TurnResult } from './support.ts'

const TURNS = Number(process.env.CHAOS_TURNS) || 150
const SEED = Number(process.env.CHAOS_SEED) || (Date.now() % 2 ** 31)
const USERS = 20
const CHATS = 50
const CONCURRENCY = 20
const WARM_UP_TURNS = 40
const TIMEOUT_MS = 1000
/** RSS after the run may exceed the baseline by at most this fraction. */
const RSS_TOLERANCE = 0.10
/** New chats a minute per user while the attackers flood them. */
const CREATES_PER_MINUTE = 5
/** Loose bounds for a shared 2-core machine; what they catch takes minutes. */
const PAGE_BOUND_MS = 5000
const HEALTH_BOUND_MS = 2000

/** Faults by weight; the directive goes into the turn's user message. */
const FAULTS = [
  ['ok', 40, ''],
  ['429', 8, '[[emulator:429]]'],
  ['410', 8, '[[emulator:410]]'],
  ['500', 8, '[[emulator:500]]'],
  ['drop', 8, '[[emulator:drop]]'],
  ['stall-mid', 8, '[[emulator:stall-mid]]'],
  ['malformed', 8, '[[emulator:malformed]]'],
  ['slow', 4, '[[emulator:{"tokens":12,"tokenDelayMs":200}]]'],
] as const
type Fault = (typeof FAULTS)[number][0]
/** The status each fault answers with before the first token; the others stream (200). */
const EARLY_STATUS: Partial<Record<Fault, number>> = { 429: 429, 410: 400, 500: 502 }
/** Faults during which a client may abort: long enough streams that end normally. */
const ABORTABLE = new Set<Fault>(['ok', 'slow'])
const ABORT_PROBABILITY = 0.3

interface Turn {
  index: number
  chat: number
  fault: Fault
  marker: string
  content: string
  abortAfterDeltas?: number
  result?: TurnResult
  /** Order of execution within its chat. */
  order?: number
}

let pg: TestPostgres
let emulator: Emulator
let app: AppServer
let users: TestUser[]
let chats: { id: number, owner: TestUser }[]

beforeAll(async () => {
  pg = await startPostgres()
  emulator = await startEmulator({ tokenDelayMs: 2 })
  app = await startAppServer({
    emulatorUrl: emulator.url,
    databaseUrl: pg.url,
    env: { CHAT_FIRST_TOKEN_TIMEOUT_MS: String(TIMEOUT_MS), CHAT_IDLE_TIMEOUT_MS: String(TIMEOUT_MS), CHAT_CREATE_RATE_LIMIT_PER_MINUTE: String(CREATES_PER_MINUTE) },
  })
  users = await mapLimit(Array.from({ length: USERS }), 5, () => signUp(app.url))
  chats = await mapLimit(Array.from({ length: CHATS }, (_, i) => users[i % USERS]!), 10, async owner => ({ id: (await owner.createChat()).id, owner }))
})

afterAll(async () => {
  await app?.stop()
  await emulator?.close()
  pg?.stop()
})

function planTurns(random: () => number, count: number, tag: string): Turn[] {
  const total = FAULTS.reduce((sum, [, weight]) => sum + weight, 0)
  return Array.from({ length: count }, (_, index) => {
    let pick = random() * total
    const [fault, , directive] = FAULTS.find(([, weight]) => (pick -= weight) < 0) ?? FAULTS[0]
    const marker = `${tag}-${index}-${randomUUID()}`
    const abortAfterDeltas = ABORTABLE.has(fault) && random() < ABORT_PROBABILITY ? 1 + Math.floor(random() * 8) : undefined
    return { index, chat: Math.floor(random() * CHATS), fault, marker, content: `Chaos turn ${marker} ${directive}`.trim(), abortAfterDeltas }
  })
}

/** Runs the turns with at most CONCURRENCY in flight and at most one at a time per chat. */
async function runTurns(turns: Turn[]): Promise<void> {
  const busy = new Set<number>()
  const perChatOrder = new Map<number, number>()
  const waiting = [...turns]
  let wake: () => void = () => {}
  const worker = async () => {
    for (;;) {
      const at = waiting.findIndex(turn => !busy.has(turn.chat))
      if (at < 0) {
        if (!waiting.length) return
        await new Promise<void>((resolve) => {
          const previous = wake
          wake = () => {
            previous()
            resolve()
          }
        })
        continue
      }
      const [turn] = waiting.splice(at, 1)
      busy.add(turn!.chat)
      turn!.order = perChatOrder.get(turn!.chat) ?? 0
      perChatOrder.set(turn!.chat, turn!.order + 1)
      const { id, owner } = chats[turn!.chat]!
      turn!.result = await chatTurn(app.url, owner.cookie, id, turn!.content, { abortAfterDeltas: turn!.abortAfterDeltas, timeoutMs: 30_000 })
      // A client that leaves does not stop its answer: it goes on and is stored when it ends.
      // Half the time the next turn in this chat waits for that, as a person would; otherwise it
      // supersedes the answer (kept as aborted), as tested in faults.test.ts ("leave, then send at once").
      if (turn!.result.aborted && turn!.index % 2) await storedAnswerAfter(owner, id, turn!.marker, 5000).catch(() => undefined)
      busy.delete(turn!.chat)
      const release = wake
      wake = () => {}
      release()
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

function recordsByMarker(): Map<string, RequestRecord[]> {
  const map = new Map<string, RequestRecord[]>()
  for (const record of emulator.requests) {
    const found = /chaos-\d+-[0-9a-f-]{36}|warm-\d+-[0-9a-f-]{36}/.exec(JSON.stringify(record.body))?.[0]
    if (found) map.set(found, [...(map.get(found) ?? []), record])
  }
  return map
}

async function readAllChats(): Promise<Map<number, StoredMessage[]>> {
  const stored = new Map<number, StoredMessage[]>()
  await mapLimit(chats, 10, async ({ id, owner }) => {
    stored.set(id, await allStoredMessages(owner, id))
  })
  return stored
}

/** Lets the server settle: GC happens on its own schedule, so take the lowest RSS seen over a while. */
async function settledRss(pid: number, ms: number): Promise<number> {
  let lowest = Infinity
  for (const end = Date.now() + ms; Date.now() < end;) {
    lowest = Math.min(lowest, rssKiB(pid))
    await sleep(250)
  }
  return lowest
}

describe(`chaos: ${TURNS} turns, ${USERS} users, ${CHATS} chats, ${CONCURRENCY} at a time`, () => {
  it('loses nothing, duplicates nothing, stores exactly what each client received, and gives memory back', async () => {
    console.log(`[chaos] seed ${SEED} (replay with CHAOS_SEED=${SEED} CHAOS_TURNS=${TURNS})`)
    const random = seededRandom(SEED)
    const pid = app.process.pid!

    // Warm up (with attackers, as in the run: rendering their pages grows the heap once).
    const attackers = await prepareAttackers(app.url, users[1]!)
    const warm = planTurns(random, WARM_UP_TURNS, 'warm')
    const warming = runTurns(warm)
    await runAttackers(attackers, random, Math.ceil(WARM_UP_TURNS / 3), users[0]!, warming)
    await warming
    await sleep(1000)
    const baseline = await settledRss(pid, 3000)

    const turns = planTurns(random, TURNS, 'chaos')
    const started = performance.now()
    const running = runTurns(turns)
    const attacks = await runAttackers(attackers, random, Math.ceil(TURNS / 3), users[0]!, running)
    await running
    const runMs = performance.now() - started
    checkAttacks(attacks, Date.now() - attackers.startedAt)

    // Answers of turns whose client left are stored when they end; give them a moment.
    await sleep(500)
    const records = recordsByMarker()
    let stored = await readAllChats()
    // Warm-up turns ran first in the same chats: the invariants hold for them too.
    const checked = [...warm, ...turns]
    for (let attempt = 0; attempt < 20 && !allAnswersStored(checked, stored); attempt++) {
      await sleep(250)
      stored = await readAllChats()
    }

    // ---- Invariants ----
    const problems: string[] = []
    let lost = 0
    let duplicated = 0
    const allMessages = [...stored.values()].flat()
    for (const turn of checked) {
      const r = turn.result!
      const matches = allMessages.filter(m => m.role === 'user' && m.content.includes(turn.marker))
      if (r.status === 200 && matches.length === 0) {
        lost++
        problems.push(`turn ${turn.index} (${turn.fault}) got 200 but its message is not stored`)
      }
      if (matches.length > 1) {
        duplicated += matches.length - 1
        problems.push(`turn ${turn.index} stored ${matches.length} times`)
      }
      const expected = EARLY_STATUS[turn.fault] ?? 200
      if (r.status !== expected) problems.push(`turn ${turn.index} (${turn.fault}) answered ${r.status}, expected ${expected}: ${r.body ?? ''}`)
      if (r.status === 200 && r.cutOff && !r.aborted) problems.push(`turn ${turn.index} (${turn.fault}): 200 then the stream broke off without finish or error part`)
    }

    for (const { id } of chats) {
      const messages = stored.get(id)!
      const inChat = (list: Turn[]) => list.filter(t => chats[t.chat]!.id === id).sort((a, b) => a.order! - b.order!)
      const chatTurns = [...inChat(warm), ...inChat(turns)]
      // Walk the stored messages along the turns of this chat, in the order they ran.
      let at = 0
      for (const turn of chatTurns) {
        const r = turn.result!
        const message = messages[at]
        if (!message || message.role !== 'user' || !message.content.includes(turn.marker)) {
          if (r.status === 200) problems.push(`chat ${id}: turn ${turn.index} not at position ${at}: found ${message?.role} ${message?.content.slice(0, 60)}`)
          continue
        }
        at++
        const next = messages[at]
        const answer = next?.role === 'assistant' ? next : undefined
        if (answer) at++
        if (r.status !== 200) {
          if (answer) problems.push(`chat ${id}: turn ${turn.index} answered ${r.status} but an answer is stored`)
          continue
        }
        if (!answer) {
          if (r.errorText === ERRORS.answerNotSaved) continue
          lost++
          problems.push(`chat ${id}: turn ${turn.index} (${turn.fault}${r.aborted ? ', aborted' : ''}) has no stored answer`)
          continue
        }
        const upstream = records.get(turn.marker) ?? []
        if (r.sawFinish) {
          if (answer.status !== 'complete' || answer.content !== r.text) problems.push(`turn ${turn.index}: client saw finish, stored ${answer.status} ${JSON.stringify(answer.content.slice(0, 40))} vs ${JSON.stringify(r.text.slice(0, 40))}`)
        }
        else if (r.errorText !== undefined) {
          if (answer.status !== 'error' || answer.content !== r.text) problems.push(`turn ${turn.index} (${turn.fault}): client saw error, stored ${answer.status}, equal text: ${answer.content === r.text}`)
        }
        else if (r.aborted) {
          const upstreamClosed = upstream.some(record => record.clientClosed)
          const okStatus = answer.status === 'aborted' || (!upstreamClosed && answer.status === 'complete')
          if (!okStatus) problems.push(`turn ${turn.index}: client aborted, stored ${answer.status}`)
          if (!answer.content.startsWith(r.text)) problems.push(`turn ${turn.index}: aborted answer does not start with what the client received`)
          if (!upstream.some(record => record.textSent.startsWith(answer.content))) problems.push(`turn ${turn.index}: aborted answer is not a prefix of what Workers AI sent`)
        }
        else {
          problems.push(`turn ${turn.index}: client saw neither finish, error nor abort`)
        }
      }
      // Anything left over is a message no turn accounts for (orphan or duplicate).
      for (const extra of messages.slice(at)) {
        if (extra.role === 'assistant') problems.push(`chat ${id}: orphan assistant message ${extra.id}`)
        else problems.push(`chat ${id}: unexpected ${extra.role} message ${extra.id}: ${extra.content.slice(0, 60)}`)
        if (extra.role === 'user' && checked.some(t => extra.content.includes(t.marker))) duplicated++
      }
    }

    // ---- Counts ----
    const count = (predicate: (t: Turn) => boolean) => turns.filter(predicate).length
    const perFault = FAULTS.map(([fault]) => {
      const of = turns.filter(t => t.fault === fault)
      const statuses = [...new Set(of.map(t => t.result!.status))].join('/')
      return `${fault}=${of.length}(${statuses || '-'})`
    }).join(' ')
    const storedUser = allMessages.filter(m => m.role === 'user' && m.content.includes('chaos-')).length
    const storedAssistant = allMessages.filter(m => m.role === 'assistant').length
    console.log([
      `[chaos] ${TURNS} turns in ${(runMs / 1000).toFixed(1)} s (seed ${SEED})`,
      `  200s: ${count(t => t.result!.status === 200)}, non-200: ${count(t => t.result!.status !== 200)}`,
      `  per fault: ${perFault}`,
      `  client aborts: ${count(t => t.result!.aborted)}, finished: ${count(t => t.result!.sawFinish)}, error parts: ${count(t => t.result!.errorText !== undefined)}`,
      `  stored user messages (this run): ${storedUser}, stored assistant messages (all, incl. warm-up): ${storedAssistant}`,
      `  lost=${lost} duplicated=${duplicated} problems=${problems.length}`,
    ].join('\n'))
    if (problems.length) console.log(`[chaos] problems:\n  ${problems.slice(0, 30).join('\n  ')}`)

    // ---- The storage quota's counter ----
    // users.stored_bytes is kept by triggers through every write above: it must equal a recount.
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} })
    const drift = await sql`
      select u.id, u.stored_bytes, coalesce(sum(octet_length(m.content)), 0) as counted
      from users u left join chats c on c.user_id = u.id left join messages m on m.chat_id = c.id
      group by u.id having u.stored_bytes <> coalesce(sum(octet_length(m.content)), 0)`
    await sql.end()
    if (drift.length) console.log(`[chaos] users.stored_bytes differs from a recount: ${JSON.stringify(drift)}`)
    expect(drift).toEqual([])

    // ---- Memory ----
    const after = await settledRss(pid, 8000)
    console.log(`[chaos] server RSS: baseline ${(baseline / 1024).toFixed(1)} MiB, after the run ${(after / 1024).toFixed(1)} MiB (${(((after - baseline) / baseline) * 100).toFixed(1)} %)`)

    expect(lost).toBe(0)
    expect(duplicated).toBe(0)
    expect(problems).toEqual([])
    expect(after).toBeLessThanOrEqual(baseline * (1 + RSS_TOLERANCE))
  })
})

/** The attackers' limits held, and nothing they did stalled the server. `sinceMs`: since the attackers started. */
function checkAttacks(report: AttackReport, sinceMs: number): void {
  const tally = (list: number[]) => [...new Set(list)].map(status => `${status}×${list.filter(s => s === status).length}`).join(' ')
  console.log(`[chaos] attacks: ${Object.entries(report.statuses).map(([kind, list]) => `${kind} ${tally(list) || '-'}`).join(', ')}; slowest worst-case page ${Math.max(0, ...report.pageMs).toFixed(0)} ms; /api/health at most ${report.healthMaxMs.toFixed(0)} ms`)
  expect(report.statuses['worst-page'].every(status => status === 200)).toBe(true)
  expect(Math.max(0, ...report.pageMs)).toBeLessThan(PAGE_BOUND_MS)
  expect(report.healthMaxMs).toBeLessThan(HEALTH_BOUND_MS)
  const guesses = report.statuses.guess
  expect(guesses.filter(status => status === 401).length).toBeLessThanOrEqual(DEFAULTS.loginFailuresPerAccount)
  expect(guesses.every(status => status === 401 || status === 429)).toBe(true)
  // The run may span more than one fixed window of the chat-creation limit.
  const windows = Math.ceil(sinceMs / 60_000) + 1
  expect(report.floodedChats).toBeLessThanOrEqual(CREATES_PER_MINUTE * windows)
  expect(report.statuses.create.every(status => status === 201 || status === 429)).toBe(true)
  expect(report.statuses.stop.every(status => status === 202)).toBe(true)
  expect(report.stolenCookieStatus).toBe(401)
}

/** True when every 200 turn that should have an answer has one stored after its message. */
function allAnswersStored(turns: Turn[], stored: Map<number, StoredMessage[]>): boolean {
  return turns.every((turn) => {
    if (turn.result!.status !== 200 || turn.result!.errorText === ERRORS.answerNotSaved) return true
    const messages = stored.get(chats[turn.chat]!.id) ?? []
    const at = messages.findIndex(m => m.role === 'user' && m.content.includes(turn.marker))
    return at >= 0 && messages[at + 1]?.role === 'assistant' && messages[at + 1]!.status !== 'streaming'
  })
}
