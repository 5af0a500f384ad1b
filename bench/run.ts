// Neptun chat benchmark: `npm run bench [-- --quick] [-- --build] [-- --no-client] [-- --profile]`.
//
// One Workers AI emulator (child process, unpaced) serves three targets measured in the same run:
//   app   — the production server from .output on PGlite, a real session and saved chats;
//   pipe  — bench/pipe-proxy.ts, a bare node:http byte pipe to the emulator (the limit);
//   stock — bench/stock-pipeline.ts, streamText(...).toUIMessageStreamResponse() in a bare h3 app.
// Prints a table and writes bench/results.json. --quick (CI) asserts only that every figure was
// computed and no target errored; absolute times are never asserted (the machines are noisy).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { signUp } from '../harness/api-client.ts'
import { median, rssKiB, sleep } from '../harness/measure.ts'
import { ROOT, SERVER_ENTRY, snapshotOutput, startApp, type BenchApp } from './lib/app.ts'
import { measureDbWrites, type DbWritesResult } from './lib/db-writes.ts'
import { measureDatabaseTurns, type DatabaseTurns } from './lib/databases.ts'
import { runStream, type Target } from './lib/load.ts'
import { question, saturate, slowStreams, ttftBurst, type SaturationRound, type SlowResult } from './lib/phases.ts'
import * as peers from './lib/peers.ts'
import { emulatorOrigin, pipeTarget } from './lib/peers.ts'
import { openFilesLimit, type Child } from './lib/proc.ts'
import { profileWindow, summariseProfile, type ProfileSummary } from './lib/profile.ts'
import { measurePageRender, PAGE_RENDER_BUDGET_MS, type PageRenderResult } from './lib/page-render.ts'
import { measureSearch, type SearchBenchResult } from './lib/search.ts'
import { runClientBench, type ClientResult } from './client.ts'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    'no-client': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    concurrency: { type: 'string' },
  },
})
const quick = args.quick!
const MODEL = 'llama-3.3-70b-instruct-fp8-fast'

const cfg = quick
  ? { concurrency: 16, tokens: 2000, rounds: 3, windowMs: 1500, warmMs: 300, ttft1: 15, ttft100Bursts: 1, ttftTokens: 256,
      slowStreams: 50, slowSeconds: 5, slowRampMs: 500, slowTargets: ['app', 'pipe', 'stock'] as const, dbTurns: 3, turnRounds: 1, turnWindowMs: 1500, coldRuns: 1, clientTokens: 1000, clientDelayMs: 5, pageRenders: 5, searchChats: 150, searchRuns: 5 }
  : { concurrency: 16, tokens: 2000, rounds: 5, windowMs: 4000, warmMs: 500, ttft1: 60, ttft100Bursts: 5, ttftTokens: 256,
      slowStreams: 1000, slowSeconds: 30, slowRampMs: 5000, slowTargets: ['app', 'pipe', 'stock'] as const, dbTurns: 10, turnRounds: 5, turnWindowMs: 4000, coldRuns: 3, clientTokens: 4000, clientDelayMs: 5, pageRenders: 20, searchChats: 1000, searchRuns: 20 }
if (args.concurrency) cfg.concurrency = Number(args.concurrency)
const SLOW_DELAY_MS = 50 // 20 tokens/s
// Real answers are short and come in bursts: the whole-turn figure's shape.
const TURN_CONCURRENCY = 20
const TURN_TOKENS = 250
const REST_TURNS = 60

const log = (...a: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a)
const children: { stop: () => Promise<void> }[] = []
const finalizers: (() => void)[] = []
let cleaning = false
async function cleanup() {
  if (cleaning) return
  cleaning = true
  await Promise.all(children.map(c => c.stop().catch(() => {})))
  for (const f of finalizers) f()
}
process.on('SIGINT', () => { void cleanup().then(() => process.exit(130)) })
process.on('SIGTERM', () => { void cleanup().then(() => process.exit(143)) })

function ensureBuild() {
  if (existsSync(SERVER_ENTRY) && !args.build) return
  log('building the app (npm run build)…')
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm run build failed')
}

async function startEmulator(): Promise<Child> {
  return track(await peers.startEmulator())
}

async function startPipe(origin: string, nodeArgs: string[] = []): Promise<Child> {
  return track(await peers.startPipe(origin, nodeArgs))
}

async function startStock(emulatorUrl: string, nodeArgs: string[] = []): Promise<Child> {
  return track(await peers.startStock(emulatorUrl, nodeArgs))
}

/** Stopped at the end of the run, or when it is interrupted. */
function track(child: Child): Child {
  children.push(child)
  return child
}

const DELTA = Buffer.from('"type":"text-delta"')

async function appTarget(app: BenchApp, chatsNeeded: number): Promise<Target & { chats: number[] }> {
  const user = await signUp(app.url)
  const chats: number[] = []
  for (let i = 0; i < chatsNeeded; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, chatsNeeded - i) }, (_, k) => user.createChat(`bench ${i + k}`)))
    chats.push(...batch.map(c => c.id))
  }
  return {
    name: 'app', marker: DELTA, pid: () => app.pid, chats,
    request: (content, slot) => ({
      url: `${app.url}/api/ai/cloudflare/${MODEL}/chat?chat_id=${chats[slot % chats.length]}`,
      headers: { 'content-type': 'application/json', cookie: user.cookie },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    }),
  }
}

function stockTarget(stock: Child): Target {
  return {
    name: 'stock', marker: DELTA, pid: () => stock.pid,
    request: content => ({
      url: `${stock.url}/api/chat`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    }),
  }
}

/** A new process of target `name`, ready for `streams` concurrent streams and warmed up (JIT, pools). */
async function freshTarget(name: Name, emu: Child, streams: number, serverEntry: string): Promise<{ target: Target, stop: () => Promise<void> }> {
  let fresh: { target: Target, stop: () => Promise<void> }
  if (name === 'app') {
    const app = await startApp({ emulatorUrl: emu.url, serverEntry })
    children.push(app)
    fresh = { target: await appTarget(app, streams), stop: app.stop }
  }
  else if (name === 'pipe') {
    const pipe = await startPipe(emulatorOrigin(emu))
    fresh = { target: pipeTarget(pipe), stop: pipe.stop }
  }
  else {
    const stock = await startStock(emu.url)
    fresh = { target: stockTarget(stock), stop: stock.stop }
  }
  for (let i = 0; i < 3; i++) await ttftBurst(fresh.target, { concurrency: 20, tokens: 50 })
  return fresh
}

async function resetEmulator(origin: string) {
  await (await fetch(`${origin}/__emulator/reset`, { method: 'POST' })).arrayBuffer()
}

/** Upstream requests the emulator saw per stream (the provider re-POSTs when answered with JSON). */
async function upstreamPerStream(target: Target, origin: string): Promise<number> {
  await resetEmulator(origin)
  for (let i = 0; i < 3; i++) {
    const r = await runStream(target, question({ tokens: 5 }), i)
    if (r.error || !r.complete) throw new Error(`${target.name}: sanity request failed: ${r.error ?? 'incomplete'}`)
  }
  const records = await (await fetch(`${origin}/__emulator/requests`)).json() as unknown[]
  return records.length / 3
}

type Name = 'app' | 'pipe' | 'stock'
type PerTarget<T> = Record<Name, T>

interface Figure {
  key: string
  label: string
  app?: number
  pipe?: number
  stock?: number
  value?: number
  unit: string
  goal?: string
  met?: boolean
  note?: string
}

/**
 * --profile: the app and the stock pipeline under the saturation load, each profiled through its
 * inspector during the measured window only (start-up excluded). Writes the .cpuprofile files to
 * /tmp/neptun-bench-prof and a summary (self time by function and by package) to bench/profile.json.
 */
async function profileMode() {
  const profDir = '/tmp/neptun-bench-prof'
  rmSync(profDir, { recursive: true, force: true })
  mkdirSync(profDir, { recursive: true })
  ensureBuild()
  const outputDir = snapshotOutput()
  finalizers.push(() => rmSync(outputDir, { recursive: true, force: true }))
  const emu = await startEmulator()
  const emuOrigin = emulatorOrigin(emu)
  const summaries: Record<string, ProfileSummary> = {}
  const inspectArgs = ['--inspect=127.0.0.1:0']
  for (const name of ['app', 'stock'] as const) {
    let target: Target
    let child: Child
    if (name === 'app') {
      const app = await startApp({ emulatorUrl: emu.url, nodeArgs: inspectArgs, serverEntry: join(outputDir, 'server/index.mjs') })
      target = await appTarget(app, cfg.concurrency)
      child = app
    }
    else {
      child = await startStock(emu.url, inspectArgs)
      target = stockTarget(child)
    }
    const ws = /Debugger listening on (ws:\/\/\S+)/.exec(child.logs())?.[1]
    if (!ws) throw new Error(`${name}: no inspector URL in its output`)
    await saturate(target, { concurrency: cfg.concurrency, tokens: cfg.tokens, windowMs: 1000, warmMs: 300, emulatorPid: emu.pid }) // warm-up
    log(`profiling ${name}: ${cfg.concurrency} streams × ${cfg.tokens} tokens for 8 s`)
    let r: SaturationRound | undefined
    const profile = await profileWindow(ws, async () => {
      r = await saturate(target, { concurrency: cfg.concurrency, tokens: cfg.tokens, windowMs: 8000, warmMs: 300, emulatorPid: emu.pid })
    })
    log(`${name}: ${Math.round(r!.framesPerSec)} frames/s, ${r!.cpuUsPerFrame.toFixed(1)} µs/frame (profiler on)`)
    const file = join(profDir, `${name}.cpuprofile`)
    writeFileSync(file, JSON.stringify(profile))
    await resetEmulator(emuOrigin)
    await child.stop()
    summaries[name] = summariseProfile(file, 25)
  }
  for (const [name, s] of Object.entries(summaries)) {
    console.log(`\n## CPU profile: ${name} (${s.file}, ${Math.round(s.totalMs)} ms on CPU in the window)`)
    console.log('\n| category | self % |\n|---|---:|')
    for (const c of s.categories.filter(c => c.pct >= 0.5)) console.log(`| ${c.category} | ${c.pct.toFixed(1)} |`)
    console.log('\n| function | where | self ms | self % |\n|---|---|---:|---:|')
    for (const t of s.top) console.log(`| ${t.fn} | ${t.where} | ${t.selfMs.toFixed(0)} | ${t.pct.toFixed(1)} |`)
  }
  writeFileSync(join(ROOT, 'bench/profile.json'), JSON.stringify(summaries, null, 2))
  await cleanup()
}

async function main() {
  const limit = openFilesLimit()
  if (!(limit >= 4096)) console.warn(`WARNING: open files limit is ${limit} (< 4096): the 1,000-stream phase may fail; run \`ulimit -n 65536\` first.`)
  if (args.profile) return profileMode()

  const startedAt = Date.now()
  ensureBuild()
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load avg at start ${loadavg().map(l => l.toFixed(2)).join(' ')}`
  log(`mode ${quick ? 'quick' : 'full'}; ${machine}`)

  const outputDir = snapshotOutput()
  finalizers.push(() => rmSync(outputDir, { recursive: true, force: true }))
  const serverEntry = join(outputDir, 'server/index.mjs')
  const emu = await startEmulator()
  const emuOrigin = emulatorOrigin(emu)
  const [app, pipe, stock] = await Promise.all([startApp({ emulatorUrl: emu.url, serverEntry }), startPipe(emuOrigin), startStock(emu.url)])
  children.push(app)
  log(`emulator ${emuOrigin} (pid ${emu.pid}), app ${app.url} (pid ${app.pid}), pipe ${pipe.url}, stock ${stock.url}`)
  const appT = await appTarget(app, Math.max(cfg.concurrency, 100))
  const targets: PerTarget<Target> = { app: appT, pipe: pipeTarget(pipe), stock: stockTarget(stock) }
  const names: Name[] = ['app', 'pipe', 'stock']
  const errors: string[] = []

  // Sanity: every target answers, and how many upstream requests one stream costs.
  const upstream = {} as PerTarget<number>
  for (const n of names) upstream[n] = await upstreamPerStream(targets[n], emuOrigin)
  log(`upstream requests per stream: ${JSON.stringify(upstream)}`)

  // 1. Throughput at saturation (rounds interleaved across targets).
  log(`throughput: ${cfg.rounds} rounds × ${cfg.windowMs} ms, ${cfg.concurrency} streams × ${cfg.tokens} tokens`)
  const sat: PerTarget<SaturationRound[]> = { app: [], pipe: [], stock: [] }
  for (const n of names) await saturate(targets[n], { concurrency: cfg.concurrency, tokens: cfg.tokens, windowMs: 500, warmMs: 300, emulatorPid: emu.pid }) // warm-up (JIT)
  for (let round = 0; round < cfg.rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!)
    for (const n of order) {
      const r = await saturate(targets[n], { concurrency: cfg.concurrency, tokens: cfg.tokens, windowMs: cfg.windowMs, warmMs: cfg.warmMs, emulatorPid: emu.pid })
      sat[n].push(r)
      errors.push(...r.errors.map(e => `${n} throughput: ${e}`))
      log(`  round ${round + 1} ${n}: ${Math.round(r.framesPerSec)} frames/s, server ${r.cpuUsPerFrame.toFixed(1)} µs/frame (${r.serverCores.toFixed(2)} cores), emulator ${r.emulatorCores.toFixed(2)} cores, client ${r.clientCores.toFixed(2)} cores`)
    }
    await resetEmulator(emuOrigin)
  }
  const med = (n: Name, f: (r: SaturationRound) => number) => median(sat[n].map(f))

  // 2. Time to first token: 1 stream at a time, then bursts of 100 simultaneous streams.
  log(`ttft: ${cfg.ttft1} sequential streams per target, ${cfg.ttft100Bursts} burst(s) of 100`)
  const ttft1: PerTarget<number[]> = { app: [], pipe: [], stock: [] }
  for (let i = 0; i < cfg.ttft1; i++) {
    for (const n of names) {
      const r = await ttftBurst(targets[n], { concurrency: 1, tokens: 20 })
      ttft1[n].push(...r.samples)
      errors.push(...r.errors.map(e => `${n} ttft@1: ${e}`))
    }
  }
  const p = (values: number[], q: number) => {
    const v = [...values].filter(Number.isFinite).sort((a, b) => a - b)
    return v.length ? v[Math.min(v.length - 1, Math.ceil((q / 100) * v.length) - 1)]! : Number.NaN
  }
  const ttft100: PerTarget<{ p50: number, p99: number }[]> = { app: [], pipe: [], stock: [] }
  for (let b = 0; b < cfg.ttft100Bursts; b++) {
    for (const n of names) {
      const r = await ttftBurst(targets[n], { concurrency: 100, tokens: cfg.ttftTokens })
      ttft100[n].push({ p50: r.p50, p99: r.p99 })
      errors.push(...r.errors.map(e => `${n} ttft@100: ${e}`))
      await sleep(200)
    }
    await resetEmulator(emuOrigin)
  }
  const t1 = (n: Name) => ({ p50: p(ttft1[n], 50), p99: p(ttft1[n], 99) })
  const t100 = (n: Name) => ({ p50: median(ttft100[n].map(x => x.p50)), p99: median(ttft100[n].map(x => x.p99)) })

  // 3. Many slow streams.
  const slowTokens = cfg.slowSeconds * (1000 / SLOW_DELAY_MS)
  const slow: Partial<PerTarget<SlowResult>> = {}
  for (const n of cfg.slowTargets) {
    log(`slow streams: ${cfg.slowStreams} × ${slowTokens} tokens at ${1000 / SLOW_DELAY_MS} tokens/s → ${n} (a fresh process)`)
    // A fresh process, so RSS growth is measured from an idle baseline, not from a heap the
    // earlier phases already grew (where the streams would reuse freed memory and look free).
    const fresh = await freshTarget(n, emu, cfg.slowStreams, serverEntry)
    await sleep(500)
    const r = await slowStreams(fresh.target, { streams: cfg.slowStreams, tokens: slowTokens, delayMs: SLOW_DELAY_MS, rampMs: cfg.slowRampMs })
    await fresh.stop()
    slow[n] = r
    // The app must hold the streams; a peer that cannot keep up is a finding, not a broken run (except in --quick).
    if (r.errors && (n === 'app' || quick)) errors.push(`${n} slow streams: ${r.errors} errors, e.g. ${r.errorSamples.join(' | ')}`)
    else if (r.errors) log(`  ${n}: ${r.errors} streams failed (reported, not a run failure): ${r.errorSamples.join(' | ')}`)
    log(`  ${n}: errors ${r.errors}, ${r.cpuUsPerToken.toFixed(1)} µs/token, RSS ${r.baselineRssKiB} → ${r.plateauRssKiB} KiB (${r.plateauSamples} plateau samples: ${r.plateauKind}), gap p50 ${r.gapP50.toFixed(1)} p99 ${r.gapP99.toFixed(1)} ms, ramp ${Math.round(r.ramptimeMs)} ms, ${r.cpuCores.toFixed(2)} cores`)
    await resetEmulator(emuOrigin)
  }

  // 4. Database writes per turn (PostgreSQL, observable from outside).
  log(`db writes: ${cfg.dbTurns} turns × replies of 10 and 500 tokens, and of 60 tokens at 20 tokens/s, on PostgreSQL`)
  let db: DbWritesResult | undefined
  try {
    db = await measureDbWrites({ emulatorUrl: emu.url, serverEntry, turns: cfg.dbTurns, replies: [{ tokens: 10 }, { tokens: 500 }, { tokens: 60, tokenDelayMs: SLOW_DELAY_MS }] })
  }
  catch (e) {
    errors.push(`db writes: ${e instanceof Error ? e.message : e}`)
  }

  // 4b. Whole turns, time to first token and memory at rest, on PGlite and on PostgreSQL.
  const perDatabase: DatabaseTurns[] = []
  for (const database of ['pglite', 'postgres'] as const) {
    log(`whole turns on ${database}: ${TURN_CONCURRENCY} concurrent × ${TURN_TOKENS} tokens, ${cfg.turnRounds} round(s); ttft; RSS at rest after ${REST_TURNS} turns (a fresh app)`)
    try {
      const r = await measureDatabaseTurns(database, { emulatorUrl: emu.url, serverEntry, pipe: targets.pipe, emulatorPid: emu.pid, concurrency: TURN_CONCURRENCY, tokens: TURN_TOKENS, rounds: cfg.turnRounds, windowMs: cfg.turnWindowMs, ttft1: cfg.ttft1, ttft100Bursts: cfg.ttft100Bursts, restTurns: REST_TURNS })
      perDatabase.push(r)
      errors.push(...r.errors)
      log(`  ${database}: ${r.turnsPerSec.app.toFixed(1)} turns/s (pipe ${r.turnsPerSec.pipe.toFixed(1)}), ttft@1 p50 ${r.ttft1.app.p50.toFixed(1)} ms (pipe ${r.ttft1.pipe.p50.toFixed(1)}), RSS ${Math.round(r.rssStartKiB / 1024)} → ${Math.round(r.rssAfterTurnsKiB / 1024)} MiB`)
    }
    catch (e) {
      errors.push(`whole turns on ${database}: ${e instanceof Error ? e.message : e}`)
    }
    await resetEmulator(emuOrigin)
  }

  // 5. Cold start on a fresh PGlite folder.
  log(`cold start: ${cfg.coldRuns} run(s)`)
  const cold: { healthMs: number, firstAnswerMs: number }[] = []
  for (let i = 0; i < cfg.coldRuns; i++) {
    try {
      const c = await startApp({ emulatorUrl: emu.url, serverEntry, pollMs: 5 })
      try {
        const user = await signUp(c.url)
        const chat = await user.createChat('cold')
        const res = await user.chat(chat.id, [{ role: 'user', content: question({ tokens: 10 }) }])
        const text = await res.text()
        if (res.status !== 200 || !text.includes('[DONE]')) throw new Error(`first answer failed: ${res.status}`)
        cold.push({ healthMs: c.healthyAt - c.spawnedAt, firstAnswerMs: performance.now() - c.spawnedAt })
      }
      finally {
        await c.stop()
      }
    }
    catch (e) {
      errors.push(`cold start: ${e instanceof Error ? e.message : e}`)
    }
  }

  // 6. Client figures in Chromium.
  let client: ClientResult | undefined
  if (!args['no-client']) {
    log(`client: ${cfg.clientTokens}-token markdown answer at ${cfg.clientDelayMs} ms/token in Chromium`)
    try {
      client = await runClientBench({ appUrl: app.url, emulatorOrigin: emuOrigin, tokens: cfg.clientTokens, tokenDelayMs: cfg.clientDelayMs, outputDir })
      if (client.skipped) log(`  client skipped: ${client.skipped}`)
    }
    catch (e) {
      errors.push(`client: ${e instanceof Error ? e.stack ?? e.message : e}`)
    }
  }

  // 7. The chat page rendered on the server, for the costliest pages the limits allow.
  log(`page render: ${cfg.pageRenders} renders of each chat page`)
  let pageRender: PageRenderResult | undefined
  try {
    pageRender = await measurePageRender(app, cfg.pageRenders)
  }
  catch (e) {
    errors.push(`page render: ${e instanceof Error ? e.message : e}`)
  }

  const appRssEnd = rssKiB(app.pid)

  // 8. Search in messages: one user's chats × 50 messages on a fresh server (its own PGlite).
  log(`search: ${cfg.searchChats} chats × 50 messages, ${cfg.searchRuns} runs of each query`)
  let search: SearchBenchResult | undefined
  try {
    search = await measureSearch({ emulatorUrl: emu.url, serverEntry, chats: cfg.searchChats, messagesPerChat: 50, runs: cfg.searchRuns })
    log(`  stored in ${search.fillSeconds.toFixed(0)} s; medians ${JSON.stringify(search.medianMs)}; hits ${JSON.stringify(search.hits)}`)
  }
  catch (e) {
    errors.push(`search: ${e instanceof Error ? e.message : e}`)
  }
  await cleanup()

  // ---- Figures ----
  const tp = { app: med('app', r => r.framesPerSec), pipe: med('pipe', r => r.framesPerSec), stock: med('stock', r => r.framesPerSec) }
  const cpu = { app: med('app', r => r.cpuUsPerFrame), pipe: med('pipe', r => r.cpuUsPerFrame), stock: med('stock', r => r.cpuUsPerFrame) }
  const emuCores = { app: med('app', r => r.emulatorCores), pipe: med('pipe', r => r.emulatorCores), stock: med('stock', r => r.emulatorCores) }
  const srvCores = { app: med('app', r => r.serverCores), pipe: med('pipe', r => r.serverCores), stock: med('stock', r => r.serverCores) }
  const cliCores = { app: med('app', r => r.clientCores), pipe: med('pipe', r => r.clientCores), stock: med('stock', r => r.clientCores) }
  const added = (a: number, b: number) => a - b
  const f: Figure[] = []
  const add = (x: Figure) => f.push(x)
  add({ key: 'throughput', label: `relay throughput, ${cfg.concurrency} streams × ${cfg.tokens} tokens`, ...tp, unit: 'frames/s' })
  add({ key: 'throughput_ratio_pipe', label: 'throughput app ÷ pipe', value: tp.app / tp.pipe, unit: '×', goal: '≥ 0.5', met: tp.app / tp.pipe >= 0.5, note: `stock ÷ pipe ${(tp.stock / tp.pipe).toFixed(2)}` })
  add({ key: 'throughput_ratio_stock', label: 'throughput app ÷ stock', value: tp.app / tp.stock, unit: '×', goal: '≥ 5', met: tp.app / tp.stock >= 5 })
  add({ key: 'cpu_per_token', label: 'server CPU per relayed token', ...cpu, unit: 'µs', goal: '≤ 15 (app)', met: cpu.app <= 15 })
  add({ key: 'cpu_ratio_pipe', label: 'CPU efficiency app ÷ pipe (pipe µs/token ÷ app µs/token)', value: cpu.pipe / cpu.app, unit: '×', note: 'load-independent counterpart of the throughput ratio (server processes only)' })
  add({ key: 'cpu_ratio_stock', label: 'CPU efficiency app ÷ stock (stock µs/token ÷ app µs/token)', value: cpu.stock / cpu.app, unit: '×', note: 'load-independent counterpart of app ÷ stock' })
  add({ key: 'server_cores', label: 'server CPU during saturation', ...srvCores, unit: 'cores' })
  add({ key: 'emulator_cores', label: 'emulator CPU during saturation', ...emuCores, unit: 'cores', note: 'emulator is a separate process; ~1.0 means it is the bottleneck' })
  add({ key: 'client_cores', label: 'load-client CPU during saturation', ...cliCores, unit: 'cores' })
  add({ key: 'upstream_per_stream', label: 'upstream requests per stream', ...upstream, unit: 'req' })
  for (const [k, t] of [['ttft1', t1], ['ttft100', t100]] as const) {
    const c = k === 'ttft1' ? 1 : 100
    const a = t('app'), pp = t('pipe'), s = t('stock')
    add({ key: `${k}_p50`, label: `time to first token p50, ${c} concurrent`, app: a.p50, pipe: pp.p50, stock: s.p50, unit: 'ms' })
    add({ key: `${k}_p99`, label: `time to first token p99, ${c} concurrent`, app: a.p99, pipe: pp.p99, stock: s.p99, unit: 'ms' })
    add({ key: `${k}_added_p50`, label: `added TTFT vs pipe p50, ${c} concurrent (app / stock)`, app: added(a.p50, pp.p50), stock: added(s.p50, pp.p50), unit: 'ms', goal: '≤ 2', met: added(a.p50, pp.p50) <= 2 })
    add({ key: `${k}_added_p99`, label: `added TTFT vs pipe p99, ${c} concurrent (app / stock)`, app: added(a.p99, pp.p99), stock: added(s.p99, pp.p99), unit: 'ms', goal: '≤ 10', met: added(a.p99, pp.p99) <= 10 })
  }
  const sv = (n: Name, g: (r: SlowResult) => number) => slow[n] ? g(slow[n]!) : undefined
  const slowLabel = `${cfg.slowStreams} slow streams (${1000 / SLOW_DELAY_MS} tok/s, ${cfg.slowSeconds} s, arrivals over ${cfg.slowRampMs / 1000} s)`
  add({ key: 'slow_errors', label: `${slowLabel}: errors`, app: sv('app', r => r.errors), pipe: sv('pipe', r => r.errors), stock: sv('stock', r => r.errors), unit: 'streams', goal: '0', met: sv('app', r => r.errors) === 0 })
  add({ key: 'slow_rss_per_stream', label: `${slowLabel}: RSS growth per stream`, app: sv('app', r => r.rssPerStreamKiB), pipe: sv('pipe', r => r.rssPerStreamKiB), stock: sv('stock', r => r.rssPerStreamKiB), unit: 'KiB', goal: '≤ 100 (app)', met: (sv('app', r => r.rssPerStreamKiB) ?? Infinity) <= 100, note: `plateau: ${names.map(n => `${n} ${slow[n]?.plateauKind ?? '-'}`).join(', ')}` })
  add({ key: 'slow_ramp', label: `${slowLabel}: time until every stream had its first token`, app: sv('app', r => r.ramptimeMs), pipe: sv('pipe', r => r.ramptimeMs), stock: sv('stock', r => r.ramptimeMs), unit: 'ms' })
  add({ key: 'slow_cpu_per_token', label: `${slowLabel}: server CPU per token (paced, one token per read)`, app: sv('app', r => r.cpuUsPerToken), pipe: sv('pipe', r => r.cpuUsPerToken), stock: sv('stock', r => r.cpuUsPerToken), unit: 'µs', note: 'includes each turn\'s setup (session, database) spread over its tokens' })
  add({ key: 'slow_gap_p99', label: `${slowLabel}: inter-token gap p99`, app: sv('app', r => r.gapP99), pipe: sv('pipe', r => r.gapP99), stock: sv('stock', r => r.gapP99), unit: 'ms', note: `emulator pacing ${SLOW_DELAY_MS} ms` })
  const addedGap = (sv('app', r => r.gapP99) ?? Number.NaN) - (sv('pipe', r => r.gapP99) ?? Number.NaN)
  add({ key: 'slow_added_gap_p99', label: `${slowLabel}: added inter-token delay p99 vs pacing (app / stock)`, app: sv('app', r => r.addedGapP99VsPacing), stock: sv('stock', r => r.addedGapP99VsPacing), pipe: sv('pipe', r => r.addedGapP99VsPacing), unit: 'ms', goal: '≤ 20 (app)', met: (sv('app', r => r.addedGapP99VsPacing) ?? Infinity) <= 20, note: `app − pipe p99: ${addedGap.toFixed(1)} ms` })
  if (db) {
    for (const l of db.lengths) {
      const reply = `${l.replyTokens}-token reply${l.tokenDelayMs ? ` at ${1000 / l.tokenDelayMs} tokens/s (${l.answerSeconds.toFixed(1)} s)` : ''}`
      // A turn writes three rows (rate limit; question and answer's row together; the answer at
      // its end) plus at most one checkpoint per second of streaming.
      const budget = 3 + Math.floor(l.answerSeconds)
      // Over seconds of wall time the database's own work (autovacuum's analyze) takes transaction
      // ids too: for a paced reply the statements are the measure, the transactions a cross-check.
      add({ key: `db_write_tx_${l.replyTokens}`, label: `DB write transactions per turn, ${reply}`, value: l.writeTransactionsPerTurn, unit: 'tx', goal: l.tokenDelayMs ? undefined : '≤ 3', met: l.tokenDelayMs ? undefined : l.writeTransactionsPerTurn <= budget, note: `${l.transactionsPerTurn.toFixed(1)} BEGIN…COMMIT blocks; rate limiter on${l.tokenDelayMs ? '; includes the database\'s background transactions over the answer\'s seconds' : ''}` })
      add({ key: `db_write_stmts_${l.replyTokens}`, label: `DB write statements per turn, ${reply}`, value: l.writeStatementsPerTurn, unit: 'stmts', goal: l.tokenDelayMs ? `≤ 3 + 1/s (${budget})` : '≤ 3', met: l.writeStatementsPerTurn <= budget, note: `${l.checkpointsPerTurn.toFixed(1)} checkpoints; ${l.rowsChangedPerTurn.toFixed(1)} rows changed, ${l.statementsPerTurn.toFixed(1)} statements sent per turn (round trips, reads included)` })
      if (l.tokenDelayMs) add({ key: 'db_checkpoints_per_second', label: `DB checkpoint writes per second of answer, ${reply}`, value: l.checkpointsPerTurn / l.answerSeconds, unit: 'writes/s', goal: '≤ 1', met: l.checkpointsPerTurn <= l.answerSeconds, note: `writes per turn beyond the three rows: ${(l.writeStatementsPerTurn - 3).toFixed(1)} over ${l.answerSeconds.toFixed(1)} s` })
    }
    const [short, long] = db.lengths
    if (short && long) add({ key: 'db_writes_per_token', label: 'DB writes per token: (500-token − 10-token turn) ÷ 490', value: (long.writeStatementsPerTurn - short.writeStatementsPerTurn + long.writeTransactionsPerTurn - short.writeTransactionsPerTurn) / 490, unit: 'stmts+tx', goal: '0', met: long.writeStatementsPerTurn <= short.writeStatementsPerTurn && long.writeTransactionsPerTurn <= short.writeTransactionsPerTurn })
  }
  else {
    add({ key: 'db_write_tx_10', label: 'DB write transactions per turn', value: Number.NaN, unit: 'stmts', goal: '≤ 3', met: false })
  }
  for (const d of perDatabase) {
    const on = d.database === 'pglite' ? 'PGlite' : 'PostgreSQL'
    const ratio = d.turnsPerSec.app / d.turnsPerSec.pipe
    add({ key: `turns_${d.database}`, label: `whole turns, ${TURN_CONCURRENCY} concurrent × ${TURN_TOKENS}-token answers, ${on}`, app: d.turnsPerSec.app, pipe: d.turnsPerSec.pipe, unit: 'turns/s', note: 'each a real turn: session, chat, rate limit, question and answer stored' })
    add({ key: `turns_ratio_${d.database}`, label: `whole turns app ÷ pipe, ${on}`, value: ratio, unit: '×', goal: '≥ 0.8', met: ratio >= 0.8 })
    const t1 = { p50: d.ttft1.app.p50 - d.ttft1.pipe.p50, p99: d.ttft1.app.p99 - d.ttft1.pipe.p99 }
    const t100 = { p50: d.ttft100.app.p50 - d.ttft100.pipe.p50, p99: d.ttft100.app.p99 - d.ttft100.pipe.p99 }
    add({ key: `turn_ttft1_added_${d.database}`, label: `added TTFT vs pipe, 1 turn at a time, p50 / p99, ${on}`, app: t1.p50, value: t1.p99, unit: 'ms', goal: '≤ 1 / ≤ 5', met: t1.p50 <= 1 && t1.p99 <= 5, note: `app column p50, value column p99; app ${d.ttft1.app.p50.toFixed(1)} / ${d.ttft1.app.p99.toFixed(1)} ms, pipe ${d.ttft1.pipe.p50.toFixed(1)} / ${d.ttft1.pipe.p99.toFixed(1)} ms` })
    add({ key: `turn_ttft100_added_${d.database}`, label: `added TTFT vs pipe, 100 simultaneous turns, p50 / p99, ${on}`, app: t100.p50, value: t100.p99, unit: 'ms', goal: '≤ 10 / ≤ 30', met: t100.p50 <= 10 && t100.p99 <= 30, note: `app column p50, value column p99; app ${d.ttft100.app.p50.toFixed(0)} / ${d.ttft100.app.p99.toFixed(0)} ms, pipe ${d.ttft100.pipe.p50.toFixed(0)} / ${d.ttft100.pipe.p99.toFixed(0)} ms` })
    const rssGoal = d.database === 'pglite' ? 200 : 100
    add({ key: `rss_rest_start_${d.database}`, label: `server RSS at rest after start-up, ${on}`, value: d.rssStartKiB / 1024, unit: 'MiB', goal: `≤ ${rssGoal}`, met: d.rssStartKiB / 1024 <= rssGoal })
    add({ key: `rss_rest_turns_${d.database}`, label: `server RSS at rest after ${d.restTurns} turns, ${on}`, value: d.rssAfterTurnsKiB / 1024, unit: 'MiB', goal: `≤ ${rssGoal}`, met: d.rssAfterTurnsKiB / 1024 <= rssGoal })
  }
  if (!perDatabase.length) add({ key: 'turns_pglite', label: 'whole turns', value: Number.NaN, unit: 'turns/s' })
  add({ key: 'cold_health', label: 'cold start → first 200 /api/health (PGlite, fresh dir)', value: median(cold.map(c => c.healthMs)), unit: 'ms' })
  add({ key: 'cold_answer', label: 'cold start → first chat answer complete', value: median(cold.map(c => c.firstAnswerMs)), unit: 'ms', note: 'includes sign-up + chat creation' })
  if (pageRender) {
    add({ key: 'page_render_empty', label: 'chat page server render, empty chat: server CPU', value: pageRender.cpuMs.empty, unit: 'ms', note: `${pageRender.wallMs.empty!.toFixed(0)} ms wall` })
    add({ key: 'page_render_worst', label: `chat page server render, costliest page the limits allow: server CPU`, value: pageRender.worst.cpuMs, unit: 'ms', goal: `≤ ${PAGE_RENDER_BUDGET_MS}`, met: pageRender.worst.cpuMs <= PAGE_RENDER_BUDGET_MS, note: `${pageRender.worst.page}; ${(pageRender.worst.cpuMs / pageRender.cpuMs.empty!).toFixed(1)} × the empty chat` })
  }
  else {
    add({ key: 'page_render_worst', label: 'chat page server render', value: Number.NaN, unit: 'ms', goal: `≤ ${PAGE_RENDER_BUDGET_MS}`, met: false })
  }
  if (search) {
    const scale = `${search.chats.toLocaleString('en-US')} chats × ${search.messagesPerChat} messages`
    add({ key: 'search_list', label: `chat list (GET /api/chats), ${scale}: the baseline`, value: search.medianMs.list, unit: 'ms', note: `${search.hits.list} chats` })
    for (const [name, key] of [['rare word', 'rare'], ['common word', 'common'], ['two words', 'two_words'], ['title only', 'title']] as const) {
      add({ key: `search_${key}`, label: `search in messages (?q=), ${name}, ${scale}: median per query`, value: search.medianMs[name], unit: 'ms', note: `${search.hits[name]} chats found` })
      add({ key: `search_${key}_ratio`, label: `search ÷ chat list, ${name}`, value: search.medianMs[name] / search.medianMs.list, unit: '×', goal: key === 'rare' ? '≤ 2' : undefined, met: key === 'rare' ? search.medianMs[name] / search.medianMs.list <= 2 : undefined })
    }
  }
  else {
    add({ key: 'search_rare', label: 'search in messages', value: Number.NaN, unit: 'ms' })
  }
  if (client && !client.skipped) {
    add({ key: 'client_script_ratio', label: `client: scripting last 10 % ÷ first 10 % (${client.streamedTokens} tokens)`, value: client.scriptRatioLastFirst, unit: '×', goal: '≤ 1.5', met: client.scriptRatioLastFirst <= 1.5, note: `${client.scriptMsFirst10.toFixed(0)} ms → ${client.scriptMsLast10.toFixed(0)} ms; ${client.scriptMsTotal.toFixed(0)} ms in all over ${(client.streamMs / 1000).toFixed(1)} s` })
    add({ key: 'client_long_tasks', label: 'client: long tasks (> 50 ms) during the stream', value: client.longTasks, unit: 'tasks', goal: '0', met: client.longTasks === 0, note: `longest ${client.longestTaskMs.toFixed(0)} ms; ${client.slowFrames} frames > 50 ms; at ${client.longTaskList.map(l => `+${Math.round(l.atMs)} ms (${Math.round(l.durationMs)} ms)`).join(', ') || '-'} after Enter; lazy chunks during the stream: ${client.lazyChunks.join(' ') || 'none'}` })
    const before = client.jsChunks.filter(c => c.thread === 'page' && c.beforeUsable && !c.prefetch).slice(0, 3).map(c => `${c.file} ${c.gzipKiB.toFixed(0)}`).join(', ')
    add({ key: 'client_js_usable', label: 'client: chat page JavaScript on the main thread before the composer takes input, gzipped', value: client.jsUsableGzipKiB, unit: 'KiB', goal: '≤ 150', met: client.jsUsableGzipKiB <= 150, note: `largest: ${before} KiB; besides, ${client.jsPrefetchedGzipKiB.toFixed(0)} KiB prefetched for other pages` })
    add({ key: 'client_js_gzip', label: 'client: chat page JavaScript in all, gzipped', value: client.jsGzipKiB, unit: 'KiB', goal: '≤ 250', met: client.jsGzipKiB <= 250, note: `${client.jsChunks.length} chunks; ${client.jsPageGzipKiB.toFixed(0)} KiB loaded by the page's main thread (markdown when an answer renders), the rest by the highlight worker` })
  }
  else {
    add({ key: 'client', label: 'client figures', unit: '', note: args['no-client'] ? 'skipped: --no-client' : `skipped: ${client?.skipped ?? 'failed (see errors)'}` })
  }

  // ---- Table ----
  const fmt = (v: number | undefined, unit: string) => v === undefined ? '' : !Number.isFinite(v) ? String(v) : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : unit === '×' ? v.toFixed(2) : v.toFixed(1)
  const lines = [
    `Neptun chat benchmark (${quick ? 'quick' : 'full'}), ${new Date().toISOString()}`,
    `machine: ${machine}`,
    '',
    '| figure | app | pipe | stock | value | unit | goal | met | note |',
    '|---|---:|---:|---:|---:|---|---|---|---|',
    ...f.map(x => `| ${x.label} | ${fmt(x.app, x.unit)} | ${fmt(x.pipe, x.unit)} | ${fmt(x.stock, x.unit)} | ${fmt(x.value, x.unit)} | ${x.unit} | ${x.goal ?? ''} | ${x.met === undefined ? '' : x.met ? 'yes' : 'NO'} | ${x.note ?? ''} |`),
  ]
  if (client && !client.skipped && client.jsChunks.length) {
    lines.push('', '| chat page chunk | loaded by | gzip KiB | raw KiB |', '|---|---|---:|---:|')
    for (const c of client.jsChunks) lines.push(`| ${c.file} | ${c.thread} | ${c.gzipKiB.toFixed(1)} | ${c.rawKiB.toFixed(1)} |`)
  }
  if (pageRender) {
    lines.push('', '| chat page rendered on the server | server CPU ms | wall ms | HTML KiB |', '|---|---:|---:|---:|')
    for (const [page, ms] of Object.entries(pageRender.cpuMs)) lines.push(`| ${page} | ${ms.toFixed(1)} | ${pageRender.wallMs[page]!.toFixed(1)} | ${pageRender.htmlKiB[page]!.toFixed(0)} |`)
  }
  if (db) {
    for (const l of db.lengths) {
      lines.push('', `DB write statements per turn (${l.replyTokens}-token reply${l.tokenDelayMs ? ` paced ${l.tokenDelayMs} ms, ${l.answerSeconds.toFixed(1)} s` : ''}, ${l.turns} turns, rate limiter ${db.rateLimiter}):`)
      for (const b of l.breakdown) lines.push(`  ${b.perTurn.toFixed(2)} × ${b.query}`)
    }
  }
  console.log(lines.join('\n'))
  if (errors.length) console.log(`\nErrors (${errors.length}):\n${errors.slice(0, 30).map(e => `  - ${e}`).join('\n')}`)

  // ---- results.json + checks ----
  const missing = f.filter(x => x.key !== 'client' && [x.app, x.pipe, x.stock, x.value].every(v => v === undefined || !Number.isFinite(v)))
  const partNaN = f.filter(x => [x.app, x.pipe, x.value].some(v => v !== undefined && !Number.isFinite(v)))
  // The stock pipeline is a peer measured beside the app: a figure it cannot reach (it cannot hold
  // 1,000 slow streams, so it has no time until all began) is a finding about it, not a broken run.
  const stockNaN = f.filter(x => x.stock !== undefined && !Number.isFinite(x.stock))
  if (stockNaN.length) console.log(`\nThe stock pipeline has no figure for: ${stockNaN.map(x => x.label).join('; ')}`)
  const result = {
    mode: quick ? 'quick' : 'full', date: new Date().toISOString(), machine, config: cfg, durationS: (Date.now() - startedAt) / 1000,
    figures: f, saturation: sat, slow, db, perDatabase, cold, client, pageRender, search, errors, appRssEndKiB: appRssEnd,
    ttft: { c1: ttft1, c100: ttft100 },
  }
  writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2))
  log(`wrote bench/results.json in ${result.durationS.toFixed(0)} s`)
  const problems = [
    ...missing.map(x => `figure not computed: ${x.label}`),
    ...partNaN.map(x => `figure has NaN: ${x.label}`),
    ...errors.map(e => `target error: ${e.split('\n')[0]}`),
  ]
  if (problems.length) {
    console.error(`\nFAILED: ${problems.length} problem(s):\n${problems.slice(0, 20).map(x => `  - ${x}`).join('\n')}`)
    process.exitCode = 1
  }
}

main().catch(async (e) => {
  console.error(e)
  await cleanup()
  process.exit(1)
}).then(async () => {
  await cleanup()
  process.exit(process.exitCode ?? 0)
})
