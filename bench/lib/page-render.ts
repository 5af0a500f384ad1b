// The chat page rendered on the server (GET /chat/:id with a session): server CPU time per render,
// for an empty chat and for the costliest pages the limits allow. A chat page holds one page of
// messages (LIMITS.chatPageBytes, LIMITS.chatPageMessages) whatever the chat's size, so the worst
// cases are the two ways to fill one: two messages at the length limit in the shapes that cost the
// markdown pipeline most, or a page full of short messages dense with markdown.
import { LIMITS } from '../../shared/contract/index.ts'
import { signUp, type TestUser } from '../../harness/api-client.ts'
import type { BenchApp } from './app.ts'
import { cpuMicros, median } from '../../harness/measure.ts'

/** The budget for one render of the costliest page, in server CPU milliseconds (README, "Limits"). */
export const PAGE_RENDER_BUDGET_MS = 250

export interface PageRenderResult {
  /** Server CPU ms per render (the server process, all threads, over all renders ÷ renders), by page. */
  cpuMs: Record<string, number>
  /** Median wall-clock ms per render, by page. */
  wallMs: Record<string, number>
  /** The costliest page and its CPU ms. */
  worst: { page: string, cpuMs: number }
  htmlKiB: Record<string, number>
}

const AT_LIMIT = LIMITS.maxMessageChars
/** Shapes at the length limit, costliest for the splitter and markdown-it (tests/unit/linear-time.test.ts looks for more). */
const LONG_SHAPES: Record<string, string> = {
  'tildes + stray backtick': `${'~'.repeat(AT_LIMIT - 1)}\``,
  'nested link brackets': '[['.repeat(AT_LIMIT / 2),
  'one-cell table rows': '|a|\n|-|\n'.repeat(AT_LIMIT / 8),
  'unclosed emphasis': '**a'.repeat(AT_LIMIT / 3),
}
/** A short message with everything markdown does: a page full of them is the most components a page renders. */
const DENSE = `## Heading *with* **emphasis**\n\n- item [link](https://example.com) \`code\`\n- item two ~~gone~~\n  1. nested\n\n> quote with **bold**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\`\`\`ts\nconst x: number = 1\n\`\`\`\n\nA paragraph with a https://example.org/autolink, _underscores_ and a line\nthat goes on for a while so the message is about six hundred and fifty bytes long, which is what it takes.\n`

async function chatWith(user: TestUser, title: string, messages: { role: 'user' | 'assistant', content: string }[]): Promise<number> {
  const res = await user.fetch('/api/chats', { method: 'POST', body: { title, messages } })
  if (res.status !== 201) throw new Error(`creating the ${title} chat failed: ${res.status} ${await res.text()}`)
  return (await res.json() as { id: number }).id
}

export async function measurePageRender(app: BenchApp, renders: number): Promise<PageRenderResult> {
  const user = await signUp(app.url)
  const pages: Record<string, number> = { empty: await chatWith(user, 'empty', []) }
  for (const [name, content] of Object.entries(LONG_SHAPES)) {
    // More than a page's worth, so the page query has older messages to leave out.
    pages[`2 × ${AT_LIMIT} chars: ${name}`] = await chatWith(user, name, Array.from({ length: 20 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content })))
  }
  pages[`${LIMITS.chatPageMessages} × ${DENSE.length} chars of dense markdown`] = await chatWith(user, 'dense', Array.from({ length: LIMITS.maxMessages }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: DENSE })))

  const render = async (id: number) => {
    const res = await fetch(`${app.url}/chat/${id}`, { headers: { cookie: user.cookie } })
    const html = await res.text()
    if (res.status !== 200) throw new Error(`GET /chat/${id}: ${res.status}`)
    return html
  }
  const cpuMs: Record<string, number> = {}
  const wallMs: Record<string, number> = {}
  const htmlKiB: Record<string, number> = {}
  for (const id of Object.values(pages)) await render(id) // warm-up: chunks loaded, JIT
  for (const [name, id] of Object.entries(pages)) {
    const wall: number[] = []
    // Summed over the renders: /proc counts CPU time in 10 ms ticks.
    const cpuBefore = cpuMicros(app.pid)
    for (let i = 0; i < renders; i++) {
      const started = performance.now()
      const html = await render(id)
      wall.push(performance.now() - started)
      htmlKiB[name] = html.length / 1024
    }
    cpuMs[name] = (cpuMicros(app.pid) - cpuBefore) / 1000 / renders
    wallMs[name] = median(wall)
  }
  const [page, worstMs] = Object.entries(cpuMs).filter(([name]) => name !== 'empty').sort(([, a], [, b]) => b - a)[0]!
  return { cpuMs, wallMs, worst: { page, cpuMs: worstMs }, htmlKiB }
}
