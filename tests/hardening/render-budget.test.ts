// The chat page is rendered on the server's one JavaScript thread: whatever a user stores, its
// render must stay within a fixed budget, or one user's chat stalls every other request. Stored
// worst cases for the markdown pipeline at the message length limit, and the largest chat the
// storage quota allows, each rendered while /api/health is polled.
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULTS, LIMITS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { signUp, type TestUser } from '../support/api-client.ts'
import { startPostgres, type TestPostgres } from '../../harness/postgres.ts'

/**
 * Loose bounds for a loaded, shared 2-core machine: the render takes about 0.1 s here, the
 * failures they catch take minutes to hours (the benchmark measures the figure itself).
 */
const RENDER_BOUND_MS = 5000
const HEALTH_BOUND_MS = 1500

/** One message each, at the length limit: the shapes that cost the markdown pipeline most. */
const WORST_MESSAGES: [string, string][] = [
  ['a run of tildes ending in a stray backtick', `${'~'.repeat(LIMITS.maxMessageChars - 1)}\``],
  ['a run of backticks ending in a stray backtick and a line break', `${'`'.repeat(LIMITS.maxMessageChars - 2)}\n\``],
  ['a fence line of tildes with backticks in its info string', `~~~ ${'`~'.repeat((LIMITS.maxMessageChars - 4) / 2)}`],
  ['nested link brackets', '[['.repeat(LIMITS.maxMessageChars / 2)],
  ['a table of one-cell rows', '|a|\n|-|\n'.repeat(LIMITS.maxMessageChars / 8)],
  ['emphasis that never closes', '**a'.repeat(LIMITS.maxMessageChars / 3)],
]

let pg: TestPostgres
let sql: postgres.Sql
let app: AppServer
let user: TestUser

beforeAll(async () => {
  pg = await startPostgres()
  sql = postgres(pg.url, { max: 2, onnotice: () => {} })
  app = await startAppServer({ databaseUrl: pg.url })
  user = await signUp(app.url)
  // The first page render loads the page's server chunks: not part of any figure here.
  await fetch(`${app.url}/chat/1`, { headers: { cookie: user.cookie } }).then(res => res.arrayBuffer())
})

afterAll(async () => {
  await app?.stop()
  await sql?.end()
  pg?.stop()
})

/** GET /chat/:id as `user`, with /api/health polled meanwhile: the longest it took to answer. */
async function renderPage(chatId: number) {
  let rendering = true
  let healthMaxMs = 0
  const poller = (async () => {
    while (rendering) {
      const started = performance.now()
      await fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(RENDER_BOUND_MS * 4) }).then(res => res.arrayBuffer()).catch(() => {})
      healthMaxMs = Math.max(healthMaxMs, performance.now() - started)
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  })()
  const started = performance.now()
  try {
    // Bounded, so a render that never ends fails the test instead of hanging it.
    const res = await fetch(`${app.url}/chat/${chatId}`, { headers: { cookie: user.cookie }, signal: AbortSignal.timeout(RENDER_BOUND_MS * 4) })
    const html = await res.text()
    return { status: res.status, html, renderMs: performance.now() - started, healthMaxMs }
  }
  finally {
    rendering = false
    await poller
  }
}

describe('rendering the chat page on the server', () => {
  it.each(WORST_MESSAGES)('a stored message of %s (32,000 characters) renders within the budget; /api/health answers meanwhile', async (_name, content) => {
    const made = await user.fetch('/api/chats', { method: 'POST', body: { title: 'worst case', messages: [{ role: 'user', content: 'show me' }, { role: 'assistant', content }] } })
    expect(made.status).toBe(201)
    const { id } = await made.json() as { id: number }
    const page = await renderPage(id)
    console.log(`[render] ${_name}: page in ${page.renderMs.toFixed(0)} ms, /api/health at most ${page.healthMaxMs.toFixed(0)} ms meanwhile`)
    expect(page.status).toBe(200)
    expect(page.html).toContain('data-testid="message"')
    expect(page.renderMs).toBeLessThan(RENDER_BOUND_MS)
    expect(page.healthMaxMs).toBeLessThan(HEALTH_BOUND_MS)
  })

  it(`the largest chat the storage quota allows (${DEFAULTS.storageQuotaMb} MiB of worst-case messages): the page renders its newest page only, within the budget, and every message can be paged to`, async () => {
    const { id } = await user.createChat('the largest chat')
    const count = Math.floor((DEFAULTS.storageQuotaMb * 1024 * 1024) / LIMITS.maxMessageChars)
    // Written straight into the database: as many 32,000-character turns as the quota holds.
    await sql`
      insert into messages (chat_id, role, content)
      select ${id}, case when n % 2 = 1 then 'user' else 'assistant' end, n || ' ' || repeat('~', ${LIMITS.maxMessageChars - 8}) || '\`'
      from generate_series(1, ${count}) as n`
    const page = await renderPage(id)
    console.log(`[render] the largest chat (${count} messages, ${(count * LIMITS.maxMessageChars / 1024 / 1024).toFixed(1)} MiB): page in ${page.renderMs.toFixed(0)} ms, ${(page.html.length / 1024).toFixed(0)} KiB of HTML, /api/health at most ${page.healthMaxMs.toFixed(0)} ms meanwhile`)
    expect(page.status).toBe(200)
    expect(page.renderMs).toBeLessThan(RENDER_BOUND_MS)
    expect(page.healthMaxMs).toBeLessThan(HEALTH_BOUND_MS)
    const rendered = page.html.match(/data-testid="message"/g)?.length ?? 0
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThanOrEqual(LIMITS.chatPageMessages)
    expect(page.html.length).toBeLessThan(4 * LIMITS.chatPageBytes + 256 * 1024)
    expect(page.html).toContain('data-testid="load-earlier"')

    // Every message is reachable through ?before=, each page within the page limits, none twice.
    const seen = new Set<number>()
    let before: number | undefined
    for (let pages = 0; pages <= count; pages++) {
      const res = await user.fetch(`/api/chats/${id}${before ? `?before=${before}` : ''}`)
      expect(res.status).toBe(200)
      const chunk = await res.json() as ChatWithMessages
      expect(chunk.messages.length).toBeLessThanOrEqual(LIMITS.chatPageMessages)
      const bytes = chunk.messages.reduce((sum, m) => sum + Buffer.byteLength(m.content), 0)
      expect(chunk.messages.length === 1 || bytes <= LIMITS.chatPageBytes).toBe(true)
      for (const message of chunk.messages) {
        expect(seen.has(message.id)).toBe(false)
        seen.add(message.id)
      }
      if (!chunk.hasEarlier) break
      before = chunk.messages[0]!.id
    }
    expect(seen.size).toBe(count)
  })
})
