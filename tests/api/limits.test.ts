// Limits that hold on every build (Node on PGlite and PostgreSQL, the Worker in workerd): request
// bodies are refused at 1 MiB before they are read in full, a chat is read one bounded page at a
// time, and on Workers the client's address comes from CF-Connecting-IP and stop requests for
// made-up ids cannot grow a table.
import { connect } from 'node:net'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULTS, ERRORS, LIMITS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { expectApiError, signUp, uniqueEmail, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const onWorkers = inject('runtime') === 'workers'
const { hostname, port } = new URL(appUrl)

/**
 * Sends `head` (request line and headers) and then `body` chunks as they come, on a raw socket;
 * resolves with the response's status line and everything read within `waitMs`.
 */
function rawRequest(head: string, body: AsyncIterable<string> | string[], waitMs: number): Promise<{ statusLine: string, text: string, sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let text = ''
    let sentBytes = 0
    let answered = false
    const finish = () => {
      socket.destroy()
      resolve({ statusLine: text.split('\r\n')[0] ?? '', text, sentBytes })
    }
    const timer = setTimeout(finish, waitMs)
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
      if (!answered && text.includes('\r\n\r\n')) {
        answered = true
        // Read what follows the head for a moment, then stop.
        setTimeout(() => {
          clearTimeout(timer)
          finish()
        }, 200)
      }
    })
    // A reset may overtake the answer's last events: read what arrived first.
    socket.on('error', () => {
      clearTimeout(timer)
      setTimeout(finish, 100)
    })
    socket.on('connect', async () => {
      try {
        socket.write(head)
        for await (const chunk of body) {
          if (answered || socket.destroyed) break
          sentBytes += Buffer.byteLength(chunk)
          if (!socket.write(chunk)) await new Promise(r => socket.once('drain', r))
        }
      }
      catch (error) {
        reject(error)
      }
    })
  })
}

describe('request bodies over 1 MiB', () => {
  it('a declared Content-Length over the limit gets 413 at once, before the body is sent', async () => {
    if (onWorkers) {
      // wrangler dev drains every request body before it passes the answer on (its
      // ensure-req-body-drained middleware); Cloudflare's edge does not. So here the whole body
      // is sent; tests/unit/bounded-request.test.ts shows the Worker's entry does not read it.
      const res = await fetch(`${appUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(3 * LIMITS.maxBodyBytes) })
      await expectApiError(res, 413, ERRORS.bodyTooLarge)
      return
    }
    const started = performance.now()
    const { statusLine, text } = await rawRequest(
      `POST /api/auth/login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\nConnection: close\r\n\r\n`,
      ['{"email":'],
      8000,
    )
    expect(statusLine, text.slice(0, 300)).toMatch(/^HTTP\/1\.1 413/)
    expect(text).toContain(ERRORS.bodyTooLarge)
    expect(performance.now() - started).toBeLessThan(8000)
  })

  it('a body without Content-Length (chunked) that never ends gets 413 once it passes the limit', async () => {
    const piece = 'x'.repeat(64 * 1024)
    async function* endless() {
      const start = '{"email":"a","x'
      yield `${start.length.toString(16)}\r\n${start}\r\n`
      // Just past the limit, then nothing more: the body never ends (and no byte is left unread
      // for the server to reset the connection over).
      for (let sent = start.length; sent <= LIMITS.maxBodyBytes; sent += piece.length) yield `${piece.length.toString(16)}\r\n${piece}\r\n`
      await new Promise(resolve => setTimeout(resolve, 60_000))
    }
    const { statusLine, text, sentBytes } = await rawRequest(
      `POST /api/auth/login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      endless(),
      10_000,
    )
    expect(statusLine, text.slice(0, 300)).toMatch(/^HTTP\/1\.1 413/)
    expect(text).toContain(ERRORS.bodyTooLarge)
    expect(sentBytes).toBeGreaterThan(LIMITS.maxBodyBytes)
    // wrangler dev's proxy answers the next request after a cut-off upload with 503 "worker
    // restarted mid-request": a throwaway request takes that answer.
    if (onWorkers) await fetch(`${appUrl}/api/auth/logout`, { method: 'POST' }).then(res => res.arrayBuffer())
  })
})

describe('a chat one page at a time', () => {
  let user: TestUser
  let chatId: number
  const COUNT = 120
  /** 3,000 characters each: a page holds about 21 by size; 120 of them make several pages. */
  const content = (i: number) => `${i} `.padEnd(3000, i % 2 ? 'a' : 'é')

  beforeAll(async () => {
    user = await signUp(appUrl)
    const res = await user.fetch('/api/chats', { method: 'POST', body: { title: 'long', messages: Array.from({ length: COUNT }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: content(i) })) } })
    expect(res.status).toBe(201)
    chatId = (await res.json() as { id: number }).id
  })

  it('GET /api/chats/:id holds the newest page; ?before= walks back to the first message, each page within the limits, none missing or twice', async () => {
    const pages: ChatWithMessages[] = []
    let before: number | undefined
    for (;;) {
      const res = await user.fetch(`/api/chats/${chatId}${before ? `?before=${before}` : ''}`)
      expect(res.status).toBe(200)
      const page = await res.json() as ChatWithMessages
      pages.push(page)
      expect(page.messages.length).toBeGreaterThan(0)
      expect(page.messages.length).toBeLessThanOrEqual(LIMITS.chatPageMessages)
      expect(page.messages.reduce((sum, m) => sum + Buffer.byteLength(m.content), 0)).toBeLessThanOrEqual(LIMITS.chatPageBytes)
      if (!page.hasEarlier) break
      before = page.messages[0]!.id
      expect(pages.length).toBeLessThan(COUNT)
    }
    const all = pages.reverse().flatMap(page => page.messages)
    expect(all.map(m => m.content)).toEqual(Array.from({ length: COUNT }, (_, i) => content(i)))
    expect(pages.length).toBeGreaterThan(3)
    expect(pages[0]!.title).toBe('long')
  })

  it('a malformed ?before= is a 400; one before the first message is an empty page', async () => {
    await expectApiError(await user.fetch(`/api/chats/${chatId}?before=abc`), 400, ERRORS.invalidId)
    const first = (await (await user.fetch(`/api/chats/${chatId}?before=${LIMITS.maxChatId}`)).json() as ChatWithMessages)
    const empty = await (await user.fetch(`/api/chats/${chatId}?before=1`)).json() as ChatWithMessages
    expect(first.messages.length).toBeGreaterThan(0)
    expect(empty).toMatchObject({ messages: [], hasEarlier: false })
  })
})

describe.runIf(onWorkers)('on Workers', () => {
  let sql: postgres.Sql
  beforeAll(() => {
    sql = postgres(inject('postgresUrl'), { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await sql?.end()
  })

  it('the client address is CF-Connecting-IP: failed log-ins from one address do not lock out another', async () => {
    const login = (address: string) => fetch(`${appUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': address },
      body: JSON.stringify({ email: uniqueEmail('guess'), password: 'not the password' }),
    })
    const statuses: number[] = []
    for (let i = 0; i <= DEFAULTS.loginFailuresPerIp; i++) statuses.push((await login('203.0.113.50')).status)
    expect(statuses.slice(0, DEFAULTS.loginFailuresPerIp).every(status => status === 401)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
    expect((await login('203.0.113.51')).status).toBe(401)
  })

  it('stop requests for made-up ids leave a bounded number of rows', async () => {
    const user = await signUp(appUrl)
    for (let i = 0; i < 40; i++) {
      const res = await user.fetch(`/api/generations/${crypto.randomUUID()}/stop`, { method: 'POST' })
      expect(res.status).toBe(202)
    }
    const [row] = await sql<{ count: string }[]>`select count(*) from generation_stops where user_id = ${user.id}`
    expect(Number(row!.count)).toBeLessThanOrEqual(10)
  })
})
