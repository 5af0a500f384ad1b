// Share by link: a snapshot of a chat behind an unguessable public link, readable without an
// account, rendered on the server, never followed by later turns unless the owner shares again,
// gone (404) once revoked, and leading to nothing else of its owner's.
import postgres from 'postgres'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, SHARE_LIMITS, SHARE_PATH, type ChatSummary, type SharedChat, type ShareSummary } from '../../shared/contract/index.ts'
import { directive, expectApiError, marker, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const REASONING_MODEL = 'qwq-32b'

async function share(user: TestUser, chatId: number): Promise<{ status: number, share: ShareSummary }> {
  const res = await user.fetch(`/api/chats/${chatId}/shares`, { method: 'POST' })
  return { status: res.status, share: await res.json() as ShareSummary }
}

/** A turn in a saved chat, read to its end: the question and the answer the emulator is told to give. */
async function turn(user: TestUser, chatId: number, question: string, reply: string, reasoning?: string, history: { role: 'user' | 'assistant', content: string }[] = []) {
  const behaviour = reasoning === undefined ? { reply } : { reply, reasoning }
  const content = `${question} ${directive(behaviour)}`
  const res = await user.chat(chatId, [...history, { role: 'user', content }], reasoning === undefined ? {} : { model: REASONING_MODEL })
  expect(res.status).toBe(200)
  expect((await readUiStream(res)).done).toBe(true)
  return [...history, { role: 'user' as const, content }, { role: 'assistant' as const, content: reply }]
}

/**
 * The text of the page's Nuxt payload script. A string search, not a regular expression: the page
 * carries model text, and a pattern with two open-ended runs goes quadratic on many `<script`s.
 */
function nuxtPayload(html: string): string {
  const tag = html.indexOf('id="__NUXT_DATA__"')
  const start = tag < 0 ? -1 : html.indexOf('>', tag)
  const end = start < 0 ? -1 : html.indexOf('</script>', start)
  return end < 0 ? '' : html.slice(start + 1, end)
}

/** GET as a stranger: no cookie, no key. */
function publicGet(path: string): Promise<Response> {
  return fetch(`${appUrl}${path}`)
}

let alice: TestUser
let bob: TestUser
let chat: ChatSummary
let firstShare: ShareSummary
const secret = marker('secret')
const question = marker('question')
const answer = `The answer has **bold** text and code:\n\n\`\`\`ts\nconst ${marker('x').replaceAll('-', '_')} = 1\n\`\`\`\n`
const thinking = marker('thinking')
let history: { role: 'user' | 'assistant', content: string }[]

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
  chat = await alice.createChat('Shared trip plans')
  history = await turn(alice, chat.id, question, answer, thinking)
  // Another chat of Alice's, never shared: nothing of it may show up in the share.
  const other = await alice.createChat(`Private ${secret}`)
  await turn(alice, other.id, secret, `private answer ${secret}`)
  ;({ share: firstShare } = await share(alice, chat.id))
})

describe('creating a share', () => {
  it('answers 201 with an unguessable id and a public /share link to it', async () => {
    const created = await share(alice, (await alice.createChat('another')).id)
    expect(created.status).toBe(201)
    expect(created.share.id).toMatch(/^[\w-]{24}$/)
    expect(new URL(created.share.url).pathname).toBe(`${SHARE_PATH}${created.share.id}`)
    expect(firstShare.id).not.toBe(created.share.id)
  })

  it('answers 404 for a missing chat and for another user\'s chat, and shares nothing', async () => {
    await expectApiError(await bob.fetch(`/api/chats/${chat.id}/shares`, { method: 'POST' }), 404, ERRORS.chatNotFound)
    await expectApiError(await bob.fetch('/api/chats/2147483647/shares', { method: 'POST' }), 404, ERRORS.chatNotFound)
    await expectApiError(await bob.fetch('/api/chats/abc/shares', { method: 'POST' }), 404, ERRORS.chatNotFound)
    expect(await (await bob.fetch('/api/shares')).json()).toEqual([])
  })

  it('needs a session: 401 without', async () => {
    await expectApiError(await fetch(`${appUrl}/api/chats/${chat.id}/shares`, { method: 'POST' }), 401, ERRORS.unauthorized)
    await expectApiError(await publicGet('/api/shares'), 401, ERRORS.unauthorized)
  })
})

describe('reading a share without an account', () => {
  it('answers the snapshot: title, messages with their thinking and model, nothing else', async () => {
    const res = await publicGet(`/api/shares/${firstShare.id}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-robots-tag')).toBe('noindex')
    const shared = await res.json() as SharedChat
    expect(shared.title).toBe('Shared trip plans')
    expect(shared.truncated).toBe(false)
    expect(shared.messages).toEqual([
      { role: 'user', content: history[0]!.content, status: 'complete', model: null, reasoning: null, reasoningMs: null, finishReason: null },
      { role: 'assistant', content: answer, status: 'complete', model: REASONING_MODEL, reasoning: thinking, reasoningMs: expect.any(Number), finishReason: 'stop' },
    ])
    expect(Object.keys(shared).sort()).toEqual(['messages', 'sharedAt', 'title', 'truncated'])
  })

  it('renders the page on the server: messages, markdown and code in the HTML, noindex, no owner data in it or its payload', async () => {
    const res = await publicGet(`${SHARE_PATH}${firstShare.id}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-robots-tag')).toBe('noindex')
    const html = await res.text()
    expect(html).toMatch(/<meta name="robots" content="noindex">/)
    expect(html).toContain(question)
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toMatch(/data-testid="code-block"/)
    expect(html).toContain(thinking)
    // Nothing that leads to Alice or her other chats: not her email, id or chat id, in the HTML or the Nuxt payload inside it.
    expect(html).not.toContain(alice.email)
    expect(html).not.toContain(secret)
    expect(html).not.toMatch(new RegExp(`"(userId|chatId|user_id|chat_id)"`))
    expect(html).not.toContain(`/chat/${chat.id}`)
    const payload = nuxtPayload(html)
    expect(payload).toContain(question)
    expect(payload).not.toContain(alice.email)
    // The payload (devalue) holds the share as {title, messages, truncated, sharedAt} and no user or chat fields.
    expect(payload).toMatch(/\{"title":\d+,"messages":\d+,"truncated":\d+,"sharedAt":\d+\}/)
    expect(payload).not.toMatch(/"(chatId|userId|email|user)":/)
  })

  it('is the same for a signed-in stranger: no redirect, the same snapshot', async () => {
    const res = await bob.fetch(`${SHARE_PATH}${firstShare.id}`, { redirect: 'manual' })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(question)
  })

  it('answers 404 for an id that was never made, in the API and on the page', async () => {
    await expectApiError(await publicGet(`/api/shares/${'A'.repeat(24)}`), 404, ERRORS.shareNotFound)
    await expectApiError(await publicGet('/api/shares/short'), 404, ERRORS.shareNotFound)
    const page = await publicGet(`${SHARE_PATH}${'A'.repeat(24)}`)
    expect(page.status).toBe(404)
    expect(await page.text()).not.toContain(question)
  })
})

describe('later turns and updates', () => {
  it('keeps the snapshot as it was when the chat goes on', async () => {
    const later = marker('later')
    history = await turn(alice, chat.id, later, `answer ${later}`, undefined, history)
    const shared = await (await publicGet(`/api/shares/${firstShare.id}`)).json() as SharedChat
    expect(shared.messages).toHaveLength(2)
    expect(JSON.stringify(shared)).not.toContain(later)
    expect(await (await publicGet(`${SHARE_PATH}${firstShare.id}`)).text()).not.toContain(later)
  })

  it('takes the snapshot again when the owner shares the chat again: the same link, 200, the later turn in it', async () => {
    const renamed = await alice.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'Trip plans, updated' } })
    expect(renamed.status).toBe(200)
    const again = await share(alice, chat.id)
    expect(again.status).toBe(200)
    expect(again.share.id).toBe(firstShare.id)
    expect(again.share.url).toBe(firstShare.url)
    expect(again.share.createdAt).toBe(firstShare.createdAt)
    expect(again.share.updatedAt > firstShare.updatedAt).toBe(true)
    const shared = await (await publicGet(`/api/shares/${firstShare.id}`)).json() as SharedChat
    expect(shared.title).toBe('Trip plans, updated')
    expect(shared.messages.map(message => message.content)).toEqual(history.map(message => message.content))
  })

  it('lists the owner\'s shares, the latest snapshot first, and no one else\'s', async () => {
    const listed = await (await alice.fetch('/api/shares')).json() as ShareSummary[]
    expect(listed[0]).toMatchObject({ id: firstShare.id, chatId: chat.id, title: 'Trip plans, updated', url: firstShare.url })
    expect(listed.length).toBe(2)
    expect(await (await bob.fetch('/api/shares')).json()).toEqual([])
  })
})

describe('size', () => {
  it(`holds the newest messages up to ${SHARE_LIMITS.bytes / 1024} KiB of text and says it left the older ones out`, async () => {
    const messages = Array.from({ length: 12 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${i} `.padEnd(30_000, 'x') }))
    const created = await alice.fetch('/api/chats', { method: 'POST', body: { title: 'long', messages } })
    const { share: made } = await share(alice, (await created.json() as ChatSummary).id)
    const shared = await (await publicGet(`/api/shares/${made.id}`)).json() as SharedChat
    const kept = Math.floor(SHARE_LIMITS.bytes / 30_000)
    expect(shared.truncated).toBe(true)
    expect(shared.messages.map(message => message.content)).toEqual(messages.slice(-kept).map(message => message.content))
    const page = await (await publicGet(`${SHARE_PATH}${made.id}`)).text()
    expect(page).toContain('Only the newest messages of this chat are shared.')
  })
})

describe('storage quota', () => {
  it('counts a snapshot\'s text towards the owner\'s stored bytes, and gives it back when revoked', async () => {
    const database = inject('postgresUrl')
    if (!database) return expect(inject('database')).toBe('pglite') // PGlite is one process: its rows are read through the API only.
    const sql = postgres(database, { max: 1 })
    const storedBytes = async () => Number((await sql<{ stored_bytes: string }[]>`select stored_bytes from users where id = ${alice.id}`)[0]!.stored_bytes)
    try {
      const owner = await signUp(appUrl)
      const own = await owner.createChat('quota')
      await turn(owner, own.id, 'q', 'a reply of some length')
      const aliceBefore = await storedBytes()
      const before = Number((await sql<{ stored_bytes: string }[]>`select stored_bytes from users where id = ${owner.id}`)[0]!.stored_bytes)
      const { share: made } = await share(owner, own.id)
      const after = Number((await sql<{ stored_bytes: string }[]>`select stored_bytes from users where id = ${owner.id}`)[0]!.stored_bytes)
      // The title and each message's text and thinking, as the messages themselves count.
      expect(after - before).toBe(Buffer.byteLength('quota') + before)
      expect(await storedBytes()).toBe(aliceBefore)
      expect((await owner.fetch(`/api/shares/${made.id}`, { method: 'DELETE' })).status).toBe(204)
      expect(Number((await sql<{ stored_bytes: string }[]>`select stored_bytes from users where id = ${owner.id}`)[0]!.stored_bytes)).toBe(before)
    }
    finally {
      await sql.end()
    }
  })
})

describe('revoking', () => {
  it('answers 404 for another user\'s share and leaves it working', async () => {
    await expectApiError(await bob.fetch(`/api/shares/${firstShare.id}`, { method: 'DELETE' }), 404, ERRORS.shareNotFound)
    expect((await publicGet(`/api/shares/${firstShare.id}`)).status).toBe(200)
  })

  it('revokes with 204: the link answers 404 in the API and on the page, and it leaves the list', async () => {
    expect((await alice.fetch(`/api/shares/${firstShare.id}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await publicGet(`/api/shares/${firstShare.id}`), 404, ERRORS.shareNotFound)
    const page = await publicGet(`${SHARE_PATH}${firstShare.id}`)
    expect(page.status).toBe(404)
    expect(await page.text()).not.toContain(question)
    const listed = await (await alice.fetch('/api/shares')).json() as ShareSummary[]
    expect(listed.map(entry => entry.id)).not.toContain(firstShare.id)
    await expectApiError(await alice.fetch(`/api/shares/${firstShare.id}`, { method: 'DELETE' }), 404, ERRORS.shareNotFound)
  })

  it('sharing again after a revoke makes a new link; the old one stays dead', async () => {
    const { status, share: fresh } = await share(alice, chat.id)
    expect(status).toBe(201)
    expect(fresh.id).not.toBe(firstShare.id)
    expect((await publicGet(`/api/shares/${firstShare.id}`)).status).toBe(404)
  })

  it('goes with its chat: deleting the chat revokes its link', async () => {
    const doomed = await alice.createChat('doomed')
    await turn(alice, doomed.id, 'doomed question', 'doomed answer')
    const { share: made } = await share(alice, doomed.id)
    expect((await alice.fetch(`/api/chats/${doomed.id}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await publicGet(`/api/shares/${made.id}`), 404, ERRORS.shareNotFound)
  })
})
