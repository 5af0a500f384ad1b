// Search in messages: GET /api/chats?q= finds words in message text and titles (PostgreSQL
// full-text search), ranks the chats, answers a snippet with the found words as separate parts
// (never HTML), only among the caller's own chats; without q the list is as it always was.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, LIMITS, SEARCH_LIMITS, type ChatSearchHit, type ChatSummary } from '../../shared/contract/index.ts'
import { directive, expectApiError, marker, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')

async function chatWith(user: TestUser, title: string, messages: { role: 'user' | 'assistant', content: string }[]): Promise<ChatSummary> {
  const res = await user.fetch('/api/chats', { method: 'POST', body: { title, messages } })
  expect(res.status).toBe(201)
  return res.json() as Promise<ChatSummary>
}

async function search(user: TestUser, q: string): Promise<ChatSearchHit[]> {
  const res = await user.fetch(`/api/chats?q=${encodeURIComponent(q)}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatSearchHit[]>
}

/** The snippet as text, with the highlighted parts in [[ ]]. */
function marked(hit: ChatSearchHit | undefined): string {
  return hit?.snippet?.parts.map(part => (part.highlight ? `[[${part.text}]]` : part.text)).join('') ?? ''
}

let alice: TestUser
let bob: TestUser
/** A word no other test uses, so each search here sees only this file's chats. */
const word = `zyx${marker('w').replaceAll('-', '').slice(-12)}`

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
})

describe('finding words in messages', () => {
  it('finds a word that is only in an answer, with a snippet that highlights it', async () => {
    const chat = await chatWith(alice, 'Holiday ideas', [
      { role: 'user', content: 'Where should we go in spring?' },
      { role: 'assistant', content: `Try the coast near ${word}: the cliffs there are quiet before May, and the trains run often.` },
    ])
    const hits = await search(alice, word)
    expect(hits.map(hit => hit.id)).toEqual([chat.id])
    expect(hits[0]!.snippet?.role).toBe('assistant')
    expect(marked(hits[0])).toContain(`coast near [[${word}]]: the cliffs`)
  })

  it('finds an answer written by a turn of the chat endpoint, once it has ended', async () => {
    const chat = await alice.createChat('Streamed')
    const reply = `Neptune has faint rings, named after astronomers such as ${word}stream.`
    const res = await alice.chat(chat.id, [{ role: 'user', content: `Tell me about rings ${directive({ reply })}` }])
    expect((await readUiStream(res)).done).toBe(true)
    const hits = await search(alice, `${word}stream`)
    expect(hits.map(hit => hit.id)).toEqual([chat.id])
    expect(marked(hits[0])).toContain(`[[${word}stream]]`)
  })

  it('ranks a matching title first, then the chats whose messages mention the words more', async () => {
    const term = `${word}rank`
    const once = await chatWith(alice, 'Mentions it once', [{ role: 'user', content: `A long story that mentions ${term} a single time among many other words about gardens, weather, bicycles and bread.` }])
    const often = await chatWith(alice, 'Mentions it often', [
      { role: 'user', content: `${term} ${term} and again ${term}` },
      { role: 'assistant', content: `Yes, ${term} is what this chat is about: ${term}.` },
    ])
    const titled = await chatWith(alice, `All about ${term}`, [{ role: 'user', content: 'nothing here' }])
    const hits = await search(alice, term)
    expect(hits.map(hit => hit.id)).toEqual([titled.id, often.id, once.id])
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank)
    expect(hits[1]!.rank).toBeGreaterThan(hits[2]!.rank)
    expect(hits[0]!.snippet).toBeNull()
  })

  it('reads web search syntax: both words, a phrase, and -word to leave out', async () => {
    const a = await chatWith(alice, 'a', [{ role: 'user', content: `${word}alpha red apples` }])
    const b = await chatWith(alice, 'b', [{ role: 'user', content: `${word}alpha green apples` }])
    expect((await search(alice, `${word}alpha red`)).map(hit => hit.id)).toEqual([a.id])
    expect((await search(alice, `"green apples" ${word}alpha`)).map(hit => hit.id)).toEqual([b.id])
    expect((await search(alice, `${word}alpha -green`)).map(hit => hit.id)).toEqual([a.id])
  })

  it('matches titles by any part of them too, as the sidebar filter did', async () => {
    const chat = await chatWith(alice, `Plans for ${word}part`, [])
    const hits = await search(alice, `${word.slice(0, 8)}`)
    expect(hits.map(hit => hit.id)).toContain(chat.id)
  })

  it('keeps the summary fields of the list beside the snippet', async () => {
    const hits = await search(alice, word)
    const listed = await (await alice.fetch('/api/chats')).json() as ChatSummary[]
    for (const hit of hits) {
      const { rank, snippet, ...summary } = hit
      expect(typeof rank).toBe('number')
      expect(snippet === null || Array.isArray(snippet.parts)).toBe(true)
      expect(summary).toEqual(listed.find(chat => chat.id === hit.id))
    }
  })
})

describe('safety and ownership', () => {
  it('answers a hostile message as plain text parts, only the found word highlighted, and its markup left out', async () => {
    const hostile = `<img src=x onerror="alert(1)"> ${word}xss <script>alert(2)</script> \u0002fake\u0003`
    await chatWith(alice, 'hostile', [{ role: 'user', content: hostile }])
    const [hit] = await search(alice, `${word}xss`)
    const parts = hit!.snippet!.parts
    expect(parts.filter(part => part.highlight).map(part => part.text)).toEqual([`${word}xss`])
    const text = parts.map(part => part.text).join('')
    // ts_headline drops the tags it recognises; the client renders every part as text anyway (tests/e2e).
    expect(text).not.toContain('<img')
    expect(text).toContain('alert(2)')
    expect(text.includes('\u0002') || text.includes('\u0003')).toBe(false)
    expect(text).toContain('fake')
  })

  it('finds only the caller\'s chats', async () => {
    const bobs = await chatWith(bob, `Bob's ${word}own`, [{ role: 'user', content: `bob writes ${word}own` }])
    expect(await search(alice, `${word}own`)).toEqual([])
    expect((await search(bob, `${word}own`)).map(hit => hit.id)).toEqual([bobs.id])
    expect((await search(bob, word)).map(hit => hit.id)).toEqual([bobs.id])
  })

  it(`answers at most ${SEARCH_LIMITS.results} chats`, async () => {
    const user = await signUp(appUrl)
    for (let i = 0; i < SEARCH_LIMITS.results + 2; i += 13)
      await Promise.all(Array.from({ length: Math.min(13, SEARCH_LIMITS.results + 2 - i) }, (_, k) => chatWith(user, `c${i + k}`, [{ role: 'user', content: `${word}many ${i + k}` }])))
    expect(await search(user, `${word}many`)).toHaveLength(SEARCH_LIMITS.results)
  }, 60_000)

  it('without q, or with a blank one, answers the list as before', async () => {
    const list = await (await alice.fetch('/api/chats')).json() as ChatSummary[]
    const blank = await (await alice.fetch('/api/chats?q=%20%20')).json() as ChatSummary[]
    expect(blank).toEqual(list)
    expect(list.every(chat => !('snippet' in chat))).toBe(true)
  })

  it('answers nothing, not an error, for a query of punctuation only', async () => {
    expect(await search(alice, '!!! ,,, ???')).toEqual([])
  })

  it('refuses a query over the limit, a repeated q and a NUL character with 400', async () => {
    await expectApiError(await alice.fetch(`/api/chats?q=${'a'.repeat(LIMITS.maxSearchChars + 1)}`), 400, ERRORS.searchInvalid)
    await expectApiError(await alice.fetch('/api/chats?q=a&q=b'), 400, ERRORS.searchInvalid)
    await expectApiError(await alice.fetch('/api/chats?q=a%00b'), 400, ERRORS.nulCharacter)
  })

  it('needs a session: 401 without', async () => {
    await expectApiError(await fetch(`${appUrl}/api/chats?q=${word}`), 401, ERRORS.unauthorized)
  })
})
