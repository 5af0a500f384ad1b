import type { HighlightJob, HighlightReply } from '../workers/highlight'
import { highlightHere, resolveLanguage } from './shiki'

/**
 * Code highlighting for the chat, done by a Web Worker (workers/highlight.ts) so the page's main
 * thread only swaps in finished HTML. Where workers are missing (component tests in happy-dom)
 * Shiki runs on the page itself.
 */
let worker: Worker | undefined
let workerFailed = false
const waiting = new Map<number, { job: HighlightJob, resolve: (html: string | null | Promise<string | null>) => void }>()
let nextId = 1

function highlightWorker(): Worker | undefined {
  if (!import.meta.client || typeof Worker === 'undefined' || workerFailed) return undefined
  if (!worker) {
    worker = new Worker(new URL('../workers/highlight.ts', import.meta.url), { type: 'module' })
    worker.onmessage = ({ data }: MessageEvent<HighlightReply>) => {
      waiting.get(data.id)?.resolve(data.html)
      waiting.delete(data.id)
    }
    // A worker that cannot start or crashed: highlight on the page from now on, waiting blocks included.
    worker.onerror = () => {
      workerFailed = true
      worker?.terminate()
      worker = undefined
      for (const { job, resolve } of waiting.values()) resolve('code' in job ? highlightHere(job.code, job.lang).catch(() => null) : null)
      waiting.clear()
    }
  }
  return worker
}

/**
 * A job not answered by then ends the worker: a grammar's pattern may backtrack on a hostile line
 * (model output is untrusted), and a worker stuck on it would highlight nothing ever again. The
 * waiting blocks show plain text; the next block starts a fresh worker.
 */
const JOB_TIMEOUT_MS = 10_000

function restartWorker(): void {
  worker?.terminate()
  worker = undefined
  for (const { resolve } of waiting.values()) resolve(null)
  waiting.clear()
}

function ask(job: HighlightJob): Promise<string | null> | undefined {
  const target = highlightWorker()
  if (!target) return undefined
  const id = nextId++
  return new Promise((resolve) => {
    const timer = setTimeout(restartWorker, JOB_TIMEOUT_MS)
    waiting.set(id, {
      job,
      resolve: (html) => {
        clearTimeout(timer)
        resolve(html)
      },
    })
    target.postMessage({ ...job, id })
  })
}

/**
 * Highlights `code` as HTML with both themes as CSS variables (the dark one applies under `.dark`).
 * Resolves to null for languages outside the curated set; the caller then shows plain text.
 *
 * @example
 * await highlightCode('const a = 1', 'ts') // '<pre class="shiki …"><code>…</code></pre>'
 */
export async function highlightCode(code: string, lang: string): Promise<string | null> {
  if (!resolveLanguage(lang)) return null
  return ask({ code, lang }) ?? highlightHere(code, lang)
}

/**
 * Starts the worker and compiles the common grammars while the page is idle, and loads the
 * markdown renderer (a lazy chunk, so an empty chat takes input sooner) before an answer needs it.
 */
export function preloadAnswerRendering(): void {
  if (import.meta.server) return
  const warm = () => {
    void ask({ warm: true })
    void import('~/components/chat/ChatMarkdown.vue').catch(() => {})
  }
  if ('requestIdleCallback' in window) window.requestIdleCallback(warm, { timeout: 3000 })
  else setTimeout(warm, 1000)
}
