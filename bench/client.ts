// Client-side figures in Chromium (playwright-core + Debian's Chromium): main-thread scripting time
// while a long markdown answer streams in, long tasks, and the chat page's JavaScript (gzipped).
// Used by bench/run.ts; also runnable alone against a running app and emulator:
//   node bench/client.ts --app http://127.0.0.1:3000 --emulator http://127.0.0.1:8787 [--tokens 4000]
import { readFileSync, existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../harness/browser.ts'
import { signUp } from '../harness/api-client.ts'
import { tokenize } from '../emulator/tokens.ts'
import { ROOT } from '../harness/app-server.ts'

export interface ClientResult {
  skipped?: string
  requestedTokens: number
  /** Tokens the emulator actually sent (the model's max_new_tokens caps it). */
  streamedTokens: number
  tokenDelayMs: number
  streamMs: number
  renderedChars: number
  scriptMsFirst10: number
  scriptMsLast10: number
  /** Scripting time of the last 10 % of the rendered text ÷ the first 10 %. */
  scriptRatioLastFirst: number
  scriptMsTotal: number
  longTasks: number
  longestTaskMs: number
  /** Animation frames slower than 50 ms during the stream. */
  slowFrames: number
  jsGzipKiB: number
  /**
   * `page`: loaded by the page's main thread; `worker`: only by the highlight worker.
   * `beforeUsable`: requested before the composer took input (Nuxt had hydrated the page).
   * `prefetch`: first asked for by a `<link rel="prefetch">` (a cache fill at idle priority for
   * another page or layout; the page neither parses nor runs it).
   */
  jsChunks: { file: string, gzipKiB: number, rawKiB: number, thread: 'page' | 'worker', beforeUsable: boolean, prefetch: boolean }[]
  /** What the main thread loads before the composer takes input, prefetches aside (gzipped KiB). */
  jsUsableGzipKiB: number
  /** What `<link rel="prefetch">` fetched by then (gzipped KiB): not run, but downloaded. */
  jsPrefetchedGzipKiB: number
  /** The part of jsGzipKiB the page's main thread loads (the rest is the highlight worker's). */
  jsPageGzipKiB: number
  /** Chunks first requested while the answer streamed (lazy loads, e.g. highlighter grammars). */
  lazyChunks: string[]
  /** Long tasks: start relative to pressing Enter, duration (ms). */
  longTaskList: { atMs: number, durationMs: number }[]
}

/** A markdown answer with headings, lists, inline code and fenced code blocks: `tokens` emulator tokens or a few more. */
export function markdownAnswer(tokens: number): string {
  const parts: string[] = []
  let n = 0
  for (let i = 1; n < tokens; i++) {
    const section = [
      `## Step ${i}: handling the ${['request', 'stream', 'database', 'session', 'renderer'][i % 5]}`,
      '',
      `This part explains how **step ${i}** works and why it matters. The relay reads each frame once, writes it to the socket and keeps no per-token state beyond the text so far. Use \`relay${i}()\` when the upstream is ready, and check [the docs](https://example.com/docs/${i}) for details.`,
      '',
      `- first, open the stream for item ${i}`,
      `- then, forward every *delta* as it arrives`,
      `- finally, store the answer once`,
      '',
      '```ts',
      `export async function relay${i}(input: ReadableStream<Uint8Array>, res: ServerResponse) {`,
      `  const reader = input.getReader()`,
      `  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {`,
      `    if (!res.write(chunk.value)) await once(res, 'drain')`,
      `  }`,
      `  res.end() // step ${i}`,
      `}`,
      '```',
      '',
      `> Note ${i}: keep the hot path free of allocations.`,
      '',
    ].join('\n')
    parts.push(section)
    n = tokenize(parts.join('\n')).length
  }
  return parts.join('\n')
}

async function jsChunks(urls: Set<string>, pageUrls: Set<string>, usableUrls: Set<string>, prefetched: Set<string>, outputDir: string) {
  const chunks: ClientResult['jsChunks'] = []
  for (const url of urls) {
    const path = new URL(url).pathname
    const file = join(outputDir, 'public', path)
    if (!existsSync(file)) continue
    const raw = readFileSync(file)
    chunks.push({ file: basename(path), gzipKiB: gzipSync(raw, { level: 9 }).length / 1024, rawKiB: raw.length / 1024, thread: pageUrls.has(url) ? 'page' : 'worker', beforeUsable: usableUrls.has(url), prefetch: prefetched.has(url) })
  }
  chunks.sort((a, b) => b.gzipKiB - a.gzipKiB)
  return chunks
}

export async function runClientBench(options: {
  appUrl: string
  /** The emulator's origin (http://host:port), for its control API. */
  emulatorOrigin: string
  tokens: number
  tokenDelayMs: number
  browser?: Browser
  /** The .output folder the app runs from (for the chunk sizes). */
  outputDir?: string
}): Promise<ClientResult> {
  const empty: ClientResult = {
    requestedTokens: options.tokens, streamedTokens: Number.NaN, tokenDelayMs: options.tokenDelayMs, streamMs: Number.NaN,
    renderedChars: Number.NaN, scriptMsFirst10: Number.NaN, scriptMsLast10: Number.NaN, scriptRatioLastFirst: Number.NaN,
    scriptMsTotal: Number.NaN, longTasks: Number.NaN, longestTaskMs: Number.NaN, slowFrames: Number.NaN, jsGzipKiB: Number.NaN, jsPageGzipKiB: Number.NaN, jsUsableGzipKiB: Number.NaN, jsPrefetchedGzipKiB: Number.NaN, jsChunks: [], lazyChunks: [], longTaskList: [],
  }
  const user = await signUp(options.appUrl)
  const chat = await user.createChat('client bench')
  const browser = options.browser ?? await launchChromium()
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const [name, ...rest] = user.cookie.split('=')
    await context.addCookies([{ name: name!, value: rest.join('='), url: options.appUrl }])
    const page = await context.newPage()
    const scripts = new Set<string>()
    const prefetched = new Set<string>()
    const lazy: string[] = []
    let streaming = false
    const pageErrors: string[] = []
    page.on('pageerror', e => pageErrors.push(e.message))
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()) })
    page.on('request', (req) => {
      const url = req.url()
      if (/\/_nuxt\/.*\.js(\?|$)/.test(url)) {
        if (!scripts.has(url.split('?')[0]!) && req.headers()['sec-purpose']?.startsWith('prefetch')) prefetched.add(url.split('?')[0]!)
        scripts.add(url.split('?')[0]!)
        if (streaming) lazy.push(basename(url.split('?')[0]!))
      }
    })
    await page.addInitScript(() => {
      const w = window as unknown as { __bench: { longTasks: { start: number, duration: number }[], frames: number[] } }
      w.__bench = { longTasks: [], frames: [] }
      try {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__bench.longTasks.push({ start: e.startTime, duration: e.duration })
        }).observe({ type: 'longtask', buffered: true })
      }
      catch {}
      let last = performance.now()
      const tick = (now: number) => {
        if (now - last > 50) w.__bench.frames.push(now)
        last = now
        requestAnimationFrame(tick)
      }
      requestAnimationFrame(tick)
    })
    await page.goto(`${options.appUrl}/chat/${chat.id}`, { waitUntil: 'load' })
    const input = page.locator('[data-testid=composer-input]')
    try {
      await input.waitFor({ state: 'visible', timeout: 20_000 })
    }
    catch {
      return { ...empty, skipped: `the chat page has no [data-testid=composer-input] (UI not ready): ${page.url()}` }
    }
    // The composer takes input once Nuxt has hydrated the page: what was requested by then is
    // what a user waits for before typing.
    await page.waitForFunction(() => {
      const app = (document.querySelector('#__nuxt') as { __vue_app__?: { config: { globalProperties: { $nuxt?: { isHydrating?: boolean } } } } } | null)?.__vue_app__
      return app?.config.globalProperties.$nuxt?.isHydrating === false
    }, null, { timeout: 20_000 })
    const usable = new Set(scripts)
    await page.waitForLoadState('networkidle').catch(() => {})

    // The reply: a markdown answer with code blocks, paced so the renderer's per-token cost shows.
    const reply = markdownAnswer(options.tokens)
    await (await fetch(`${options.emulatorOrigin}/__emulator/reset`, { method: 'POST' })).arrayBuffer()
    const enqueue = await fetch(`${options.emulatorOrigin}/__emulator/enqueue`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ behaviour: { reply, tokenDelayMs: options.tokenDelayMs } }),
    })
    if (enqueue.status !== 204) throw new Error(`emulator enqueue failed: ${enqueue.status}`)

    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' })
    const scriptSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics')
      return metrics.find(m => m.name === 'ScriptDuration')?.value ?? Number.NaN
    }
    const assistantChars = () => page.evaluate(() => {
      const messages = document.querySelectorAll('[data-testid=message][data-role=assistant]')
      const last = messages[messages.length - 1] as HTMLElement | undefined
      return last ? (last.textContent ?? '').length : 0
    })
    const baseChars = await assistantChars()

    await input.click()
    await input.fill(`[[emulator:long:${options.tokens}]] Show me a long markdown answer with code.`)
    const sentAt = await page.evaluate(() => performance.now())
    streaming = true
    await input.press('Enter')

    // Sample (time, rendered characters of the last message, cumulative script time).
    const samples: { t: number, chars: number, script: number }[] = []
    const started = Date.now()
    let lastGrowth = Date.now()
    let prev = -1
    for (;;) {
      const [chars, script] = await Promise.all([assistantChars(), scriptSeconds()])
      const t = Date.now() - started
      samples.push({ t, chars, script })
      if (chars !== prev) {
        lastGrowth = Date.now()
        prev = chars
      }
      const stopVisible = await page.locator('[data-testid=stop-button]').count().catch(() => 0)
      const grew = chars > baseChars
      if (grew && samples.length > 5 && !stopVisible && Date.now() - lastGrowth > 1500) break
      if (!grew && Date.now() - started > 20_000) {
        throw new Error(`client bench: no answer rendered 20 s after pressing Enter (page errors: ${pageErrors.slice(0, 3).join(' | ') || 'none'})`)
      }
      if (Date.now() - started > 180_000) throw new Error('client bench: the answer did not finish in 180 s')
      await new Promise(r => setTimeout(r, 40))
    }
    const records = await (await fetch(`${options.emulatorOrigin}/__emulator/requests`)).json() as { tokensSent: number, behaviourSource: string }[]
    const fromQueue = records.filter(r => r.behaviourSource === 'queue')
    const streamedTokens = fromQueue.at(-1)?.tokensSent ?? Number.NaN

    // The assistant's message is the last one once it exists; take the growth after its first render.
    const finalChars = samples.at(-1)!.chars
    const firstIdx = samples.findIndex((s, i) => i > 0 && s.chars !== samples[0]!.chars && s.chars < finalChars * 0.5)
    const startChars = firstIdx > 0 ? samples[firstIdx - 1]!.chars : 0
    const span = finalChars - startChars
    const scriptAt = (chars: number) => {
      // Linear interpolation of script time at the moment the rendered length reached `chars`.
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1]!
        const b = samples[i]!
        if (b.chars >= chars && a.chars < chars) {
          const f = (chars - a.chars) / Math.max(1, b.chars - a.chars)
          return a.script + f * (b.script - a.script)
        }
      }
      return Number.NaN
    }
    const endIdx = samples.findIndex(s => s.chars >= finalChars)
    const sStart = firstIdx > 0 ? samples[firstIdx - 1]!.script : samples[0]!.script
    const s10 = scriptAt(startChars + span * 0.1)
    const s90 = scriptAt(startChars + span * 0.9)
    const sEnd = samples[endIdx]!.script
    const first10 = (s10 - sStart) * 1000
    const last10 = (sEnd - s90) * 1000
    const streamMs = samples[endIdx]!.t - (firstIdx > 0 ? samples[firstIdx - 1]!.t : 0)
    const bench = await page.evaluate(() => (window as unknown as { __bench: { longTasks: { start: number, duration: number }[], frames: number[] } }).__bench)
    const during = bench.longTasks.filter(l => l.start >= sentAt)
    // Requests from the highlight worker reach page.on('request') too; the page's own resource
    // timeline lists only what its main thread loaded.
    const pageScripts = new Set(await page.evaluate(() => performance.getEntriesByType('resource').map(e => e.name.split('?')[0]!)))
    const chunks = await jsChunks(scripts, pageScripts, usable, prefetched, options.outputDir ?? join(ROOT, '.output'))
    await context.close()
    return {
      requestedTokens: options.tokens,
      streamedTokens,
      tokenDelayMs: options.tokenDelayMs,
      streamMs,
      renderedChars: span,
      scriptMsFirst10: first10,
      scriptMsLast10: last10,
      scriptRatioLastFirst: last10 / first10,
      scriptMsTotal: (sEnd - sStart) * 1000,
      longTasks: during.length,
      longestTaskMs: during.reduce((m, l) => Math.max(m, l.duration), 0),
      slowFrames: bench.frames.filter(f => f >= sentAt).length,
      jsGzipKiB: chunks.reduce((s, c) => s + c.gzipKiB, 0),
      jsPageGzipKiB: chunks.filter(c => c.thread === 'page').reduce((s, c) => s + c.gzipKiB, 0),
      jsUsableGzipKiB: chunks.filter(c => c.thread === 'page' && c.beforeUsable && !c.prefetch).reduce((s, c) => s + c.gzipKiB, 0),
      jsPrefetchedGzipKiB: chunks.filter(c => c.beforeUsable && c.prefetch).reduce((s, c) => s + c.gzipKiB, 0),
      jsChunks: chunks,
      lazyChunks: lazy,
      longTaskList: during.map(l => ({ atMs: l.start - sentAt, durationMs: l.duration })),
    }
  }
  finally {
    if (!options.browser) await browser.close()
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    app: { type: 'string' }, emulator: { type: 'string' }, tokens: { type: 'string' }, delay: { type: 'string' },
  } })
  if (!values.app || !values.emulator) throw new Error('usage: node bench/client.ts --app URL --emulator ORIGIN [--tokens 4000] [--delay 5]')
  const result = await runClientBench({
    appUrl: values.app, emulatorOrigin: values.emulator,
    tokens: Number(values.tokens ?? 4000), tokenDelayMs: Number(values.delay ?? 5),
  })
  console.log(JSON.stringify(result, null, 2))
}
