// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by broad category.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
}

export interface ProfileSummary {
  file: string
  totalMs: number
  top: { fn: string, where: string, selfMs: number, pct: number }[]
  categories: { category: string, pct: number }[]
}

function category(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'garbage collection'
  if (fn === '(idle)') return 'idle'
  if (fn === '(program)') return '(program: native, unattributed)'
  if (fn === 'runMicrotasks' || url.includes('node:internal/process/task_queues')) return 'microtasks / nextTick'
  if (url.startsWith('node:internal/webstreams')) return 'node: WHATWG streams'
  if (url.startsWith('node:internal/deps/undici')) return 'node: fetch (undici)'
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return `pkg: ${pkg[1]}`
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/:]+)/.exec(url)
    return `node: ${m?.[1] ?? url}`
  }
  if (url.includes('.output/server') || url.includes('neptun-bench-output')) return 'app chunks (nitro, server code)'
  if (url.includes('/bench/')) return 'bench code'
  if (!url) return `native: ${fn}`
  return 'other'
}

/** Profile of another Node process over a window, through its inspector (started with --inspect=127.0.0.1:0). */
export async function profileWindow(wsUrl: string, run: () => Promise<void>, samplingIntervalUs = 200): Promise<object> {
  const ws = new WebSocket(wsUrl)
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true })
    ws.addEventListener('error', reject, { once: true })
  })
  let id = 0
  const pending = new Map<number, (v: unknown) => void>()
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number, result?: unknown }
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result)
  })
  const send = (method: string, params: object = {}) => new Promise<unknown>((resolve) => {
    const n = ++id
    pending.set(n, resolve)
    ws.send(JSON.stringify({ id: n, method, params }))
  })
  await send('Profiler.enable')
  await send('Profiler.setSamplingInterval', { interval: samplingIntervalUs })
  await send('Profiler.start')
  await run()
  const { profile } = await send('Profiler.stop') as { profile: object }
  ws.close()
  return profile
}

export function summariseProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }
  const self = new Map<number, number>()
  // Attribute each sample's time delta to its node (more exact than hitCount × mean interval).
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0))
  }
  const byFn = new Map<string, { fn: string, where: string, us: number }>()
  const byCat = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0
    if (!us) continue
    const { functionName, url, lineNumber } = node.callFrame
    const fn = functionName || '(anonymous)'
    if (fn === '(idle)') continue
    total += us
    const where = url ? `${url.replace(/^file:\/\/\/tmp\/neptun-bench-output-[^/]+\//, '.output/').replace(/^file:\/\/.*?\/(node_modules|\.output)\//, '$1/')}:${lineNumber + 1}` : ''
    const key = `${fn}@${where}`
    const entry = byFn.get(key) ?? { fn, where, us: 0 }
    entry.us += us
    byFn.set(key, entry)
    const cat = category(fn, url)
    byCat.set(cat, (byCat.get(cat) ?? 0) + us)
  }
  const top = [...byFn.values()].sort((a, b) => b.us - a.us).slice(0, topN)
    .map(e => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, pct: (100 * e.us) / total }))
  const categories = [...byCat.entries()].sort((a, b) => b[1] - a[1]).map(([c, us]) => ({ category: c, pct: (100 * us) / total }))
  return { file, totalMs: total / 1000, top, categories }
}
