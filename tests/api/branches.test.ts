// Branches instead of truncation: an edited question or a regenerated answer is a new version
// beside the old one, found from the history the chat endpoint receives (or named by parentId);
// POST /api/chats/:id/messages/:messageId/activate switches versions; the chat's listing, and the
// next turn, follow the active path; DELETE ?from= still removes; other users' ids are 404.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_MODEL_NAME, ERRORS, LIMITS, type ChatMessage, type ChatSearchHit, type ChatWithMessages, type SharedChat, type ShareSummary, type StoredMessage } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import type { ChatMessage as EmulatorMessage } from '../../emulator/types.ts'
import { directive, expectApiError, marker, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))

let user: TestUser
let other: TestUser

beforeAll(async () => {
  [user, other] = await Promise.all([signUp(appUrl), signUp(appUrl)])
})

async function getChat(chatId: number, who: TestUser = user): Promise<ChatWithMessages> {
  const res = await who.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

/** One full turn, with `parentId` in the body when given; the answer's text. */
async function turn(chatId: number, messages: ChatMessage[], parentId?: number | null): Promise<string> {
  const res = await user.fetch(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${chatId}`, {
    method: 'POST',
    body: { messages, ...(parentId === undefined ? {} : { parentId }) },
  })
  expect(res.status).toBe(200)
  const stream = await readUiStream(res)
  expect(stream.done).toBe(true)
  return stream.text
}

const plain = (messages: StoredMessage[]): ChatMessage[] => messages.map(({ role, content }) => ({ role, content }))
const contents = (chat: ChatWithMessages) => chat.messages.map(m => m.content)

/** A chat of two turns: u1 a1 u2 a2. */
async function twoTurns() {
  const chat = await user.createChat()
  const u1 = `First ${marker()}`
  const a1 = await turn(chat.id, [{ role: 'user', content: u1 }])
  const u2 = `Second ${marker()}`
  await turn(chat.id, [{ role: 'user', content: u1 }, { role: 'assistant', content: a1 }, { role: 'user', content: u2 }])
  const stored = await getChat(chat.id)
  expect(stored.messages).toHaveLength(4)
  return stored
}

function activate(chatId: number, messageId: number, who: TestUser = user) {
  return who.fetch(`/api/chats/${chatId}/messages/${messageId}/activate`, { method: 'POST' })
}

describe('the chat\'s listing', () => {
  it('gives each message its parent and its versions, one each in a chat that never branched', async () => {
    const chat = await twoTurns()
    expect(chat.messages.map(m => m.parentId)).toEqual([null, ...chat.messages.slice(0, 3).map(m => m.id)])
    for (const message of chat.messages) expect(message.siblings).toEqual({ index: 0, count: 1, ids: [message.id] })
  })
})

describe('editing a question', () => {
  it('keeps the old version: a history that leaves the stored path branches where it leaves', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2, a2] = chat.messages
    const edited = `Edited ${marker()}`
    const answer = await turn(chat.id, [...plain([u1!, a1!]), { role: 'user', content: edited }])
    const after = await getChat(chat.id)
    expect(contents(after)).toEqual([u1!.content, a1!.content, edited, answer])
    const [, , newQuestion, newAnswer] = after.messages
    expect(newQuestion).toMatchObject({ parentId: a1!.id, siblings: { index: 1, count: 2, ids: [u2!.id, newQuestion!.id] } })
    expect(newAnswer).toMatchObject({ parentId: newQuestion!.id, siblings: { index: 0, count: 1 } })
    // The old version is still there: switching back shows it and what followed it.
    const res = await activate(chat.id, u2!.id)
    expect(res.status).toBe(200)
    const switched = await res.json() as ChatWithMessages
    expect(switched.messages).toEqual([u1, a1, { ...u2, siblings: { index: 0, count: 2, ids: [u2!.id, newQuestion!.id] } }, a2])
    expect(await getChat(chat.id)).toMatchObject({ messages: switched.messages })
  })

  it('of the first message, with parentId null, makes a new first version', async () => {
    const chat = await twoTurns()
    const edited = `New start ${marker()}`
    const answer = await turn(chat.id, [{ role: 'user', content: edited }], null)
    const after = await getChat(chat.id)
    expect(contents(after)).toEqual([edited, answer])
    expect(after.messages[0]).toMatchObject({ parentId: null, siblings: { index: 1, count: 2, ids: [chat.messages[0]!.id, after.messages[0]!.id] } })
    // The title stays the chat's first title.
    expect(after.title).toBe(chat.title)
  })

  it('from a history the client trimmed (it starts after the chat\'s first message)', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2] = chat.messages
    const edited = `Trimmed edit ${marker()}`
    await turn(chat.id, [...plain([a1!]), { role: 'user', content: edited }])
    const after = await getChat(chat.id)
    expect(after.messages.slice(0, 3).map(m => m.content)).toEqual([u1!.content, a1!.content, edited])
    expect(after.messages[2]!.siblings.ids).toEqual([u2!.id, after.messages[2]!.id])
  })
})

describe('regenerating an answer', () => {
  it('asks the same question again: a new answer beside the old one, the question stored once', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2, a2] = chat.messages
    const again = await turn(chat.id, plain([u1!, a1!, u2!]))
    const after = await getChat(chat.id)
    expect(after.messages.slice(0, 3)).toEqual([u1, a1, u2])
    expect(after.messages[3]).toMatchObject({ content: again, parentId: u2!.id, siblings: { index: 1, count: 2, ids: [a2!.id, after.messages[3]!.id] } })
    // ‹ 1 / 2 ›: back to the first answer.
    const switched = await (await activate(chat.id, a2!.id)).json() as ChatWithMessages
    expect(switched.messages.map(m => m.id)).toEqual([u1!.id, a1!.id, u2!.id, a2!.id])
    expect(switched.messages[3]!.siblings.index).toBe(0)
  })

  it('with parentId naming the message before the question', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2, a2] = chat.messages
    await turn(chat.id, plain([u1!, a1!, u2!]), a1!.id)
    const after = await getChat(chat.id)
    expect(after.messages.map(m => m.id).slice(0, 3)).toEqual([u1!.id, a1!.id, u2!.id])
    expect(after.messages[3]!.siblings.ids).toEqual([a2!.id, after.messages[3]!.id])
  })

  it('of the first answer, with parentId null: the first question is asked again, not stored twice', async () => {
    const chat = await user.createChat()
    const u1 = `Only ${marker()}`
    const first = await turn(chat.id, [{ role: 'user', content: u1 }])
    const second = await turn(chat.id, [{ role: 'user', content: u1 }], null)
    const after = await getChat(chat.id)
    expect(contents(after)).toEqual([u1, second])
    expect(after.messages[0]!.siblings.count).toBe(1)
    expect(after.messages[1]!.siblings.count).toBe(2)
    const old = await (await activate(chat.id, after.messages[1]!.siblings.ids[0]!)).json() as ChatWithMessages
    expect(contents(old)).toEqual([u1, first])
  })
})

describe('a regenerated answer that fails before its first token', () => {
  it('leaves the earlier answer on the active path', async () => {
    const chat = await twoTurns()
    await emulator.enqueue({ error: { status: 500, code: 3043 } })
    const res = await user.fetch(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${chat.id}`, { method: 'POST', body: { messages: plain(chat.messages.slice(0, 3)) } })
    await expectApiError(res, 502, ERRORS.upstreamFailed)
    expect(await getChat(chat.id)).toMatchObject({ messages: chat.messages })
  })
})

describe('a chat created with a conversation', () => {
  it('stores it as one path, each message following the one before', async () => {
    const res = await user.fetch('/api/chats', { method: 'POST', body: { messages: [
      { role: 'user', content: `Saved ${marker()}` }, { role: 'assistant', content: 'Kept.' }, { role: 'user', content: `More ${directive({ reply: 'x' })}` }, { role: 'assistant', content: 'Done.' },
    ] } })
    expect(res.status).toBe(201)
    const chat = await getChat((await res.json() as { id: number }).id)
    expect(chat.messages.map(m => m.parentId)).toEqual([null, ...chat.messages.slice(0, 3).map(m => m.id)])
    expect(chat.messages.every(m => m.siblings.count === 1)).toBe(true)
  })
})

describe('the active path', () => {
  it('is what the next turn continues, and what the model reads when the client sends it', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2] = chat.messages
    const edited = `Branch ${marker()}`
    await turn(chat.id, [...plain([u1!, a1!]), { role: 'user', content: edited }])
    // Back to the old version, then go on from it with the history the listing gives.
    const old = await (await activate(chat.id, u2!.id)).json() as ChatWithMessages
    const next = `Next ${marker()}`
    await turn(chat.id, [...plain(old.messages), { role: 'user', content: next }])
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(next) && r.outcome !== 'in-progress')
    const received = (record.body as { messages: EmulatorMessage[] }).messages.filter(m => m.role !== 'system').map(m => m.content)
    expect(received).toEqual([...contents(old), next])
    expect(received).not.toContain(edited)
    const after = await getChat(chat.id)
    expect(after.messages.slice(0, 4)).toEqual(old.messages)
    expect(after.messages[4]).toMatchObject({ content: next, parentId: old.messages[3]!.id })
  })

  it('goes on from a client that sends only its new question, as before', async () => {
    const chat = await user.createChat()
    const q1 = `Alone ${marker()}`
    const q2 = `Alone again ${marker()}`
    const a1 = await turn(chat.id, [{ role: 'user', content: q1 }])
    const a2 = await turn(chat.id, [{ role: 'user', content: q2 }])
    expect(contents(await getChat(chat.id))).toEqual([q1, a1, q2, a2])
  })

  it('switches to any version, and below it along the newest versions', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2] = chat.messages
    const e1 = `E1 ${marker()}`
    await turn(chat.id, [...plain([u1!, a1!]), { role: 'user', content: e1 }])
    const withE1 = await getChat(chat.id)
    // Regenerate e1's answer: two answers under e1.
    await turn(chat.id, [...plain(withE1.messages.slice(0, 3))])
    const twoAnswers = await getChat(chat.id)
    await activate(chat.id, u2!.id)
    // Back to e1: its newest answer comes with it.
    const back = await (await activate(chat.id, withE1.messages[2]!.id)).json() as ChatWithMessages
    expect(back.messages.map(m => m.id)).toEqual(twoAnswers.messages.map(m => m.id))
    expect(back.messages[3]!.siblings).toMatchObject({ index: 1, count: 2 })
  })
})

describe('DELETE /api/chats/:id/messages?from= with versions', () => {
  it('removes a version and everything below it; the version beside it takes its place', async () => {
    const chat = await twoTurns()
    const [u1, a1] = chat.messages
    await turn(chat.id, [...plain([u1!, a1!]), { role: 'user', content: `Doomed ${marker()}` }])
    const branched = await getChat(chat.id)
    expect((await user.fetch(`/api/chats/${chat.id}/messages?from=${branched.messages[2]!.id}`, { method: 'DELETE' })).status).toBe(204)
    expect(await getChat(chat.id)).toMatchObject({ messages: chat.messages })
  })

  it('removes a version off the active path without touching the path', async () => {
    const chat = await twoTurns()
    const [u1, a1, u2] = chat.messages
    await turn(chat.id, [...plain([u1!, a1!]), { role: 'user', content: `Kept ${marker()}` }])
    const branched = await getChat(chat.id)
    expect((await user.fetch(`/api/chats/${chat.id}/messages?from=${u2!.id}`, { method: 'DELETE' })).status).toBe(204)
    const after = await getChat(chat.id)
    expect(after.messages.map(m => m.id)).toEqual(branched.messages.map(m => m.id))
    expect(after.messages[2]!.siblings).toEqual({ index: 0, count: 1, ids: [branched.messages[2]!.id] })
  })
})

describe('other users\' ids and bad ids', () => {
  it('answers 404 for another user\'s chat or message, and changes nothing', async () => {
    const chat = await twoTurns()
    const [, , u2] = chat.messages
    await turn(chat.id, [...plain(chat.messages.slice(0, 2)), { role: 'user', content: `Theirs ${marker()}` }])
    const before = await getChat(chat.id)
    await expectApiError(await activate(chat.id, u2!.id, other), 404, ERRORS.chatNotFound)
    const own = await other.createChat()
    await expectApiError(await activate(own.id, u2!.id, other), 404, ERRORS.messageNotFound)
    // A message of another of the user's own chats is not in this one.
    const second = await twoTurns()
    await expectApiError(await activate(chat.id, second.messages[0]!.id), 404, ERRORS.messageNotFound)
    for (const id of ['0', 'abc', String(LIMITS.maxChatId + 1)]) await expectApiError(await activate(chat.id, id as unknown as number), 404, ERRORS.messageNotFound)
    expect(await getChat(chat.id)).toEqual(before)
  })

  it('answers 404 for a parentId that is not a message of the chat, and stores nothing', async () => {
    const chat = await twoTurns()
    const foreign = await other.createChat()
    const res = await user.fetch(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${chat.id}`, {
      method: 'POST',
      body: { messages: [{ role: 'user', content: `Where ${marker()}` }], parentId: (await twoTurns()).messages[1]!.id },
    })
    await expectApiError(res, 404, ERRORS.messageNotFound)
    const intoForeign = await other.fetch(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${foreign.id}`, {
      method: 'POST',
      body: { messages: [{ role: 'user', content: `Into ${marker()}` }], parentId: chat.messages[1]!.id },
    })
    await expectApiError(intoForeign, 404, ERRORS.messageNotFound)
    expect((await getChat(chat.id)).messages).toEqual(chat.messages)
    expect((await getChat(foreign.id, other)).messages).toEqual([])
  })

  it('answers 400 for a malformed parentId', async () => {
    const chat = await user.createChat()
    for (const parentId of [0, -1, 1.5, 'abc', LIMITS.maxChatId + 1]) {
      const res = await user.fetch(`/api/ai/cloudflare/${DEFAULT_MODEL_NAME}/chat?chat_id=${chat.id}`, {
        method: 'POST',
        body: { messages: [{ role: 'user', content: 'Hi' }], parentId },
      })
      await expectApiError(res, 400, ERRORS.invalidId)
    }
    expect((await getChat(chat.id)).messages).toEqual([])
  })
})

describe('search and shares', () => {
  /** A word of its own for full-text search ('simple' dictionary: letters only, lower case). */
  const word = () => `w${marker('').replace(/[^a-f]/g, '')}`

  async function hits(q: string): Promise<number[]> {
    const res = await user.fetch(`/api/chats?q=${encodeURIComponent(q)}`)
    expect(res.status).toBe(200)
    return (await res.json() as ChatSearchHit[]).map(hit => hit.id)
  }

  it('read the active path: an old version of a question is neither found nor shared until it is switched back to', async () => {
    const chat = await user.createChat()
    const [oldWord, newWord] = [word(), word()]
    // The words are in the second question: the first names the chat, and titles are searched too.
    const u1 = `Hello ${marker()}`
    const a1 = await turn(chat.id, [{ role: 'user', content: u1 }])
    const u2 = `About ${oldWord}`
    const a2 = await turn(chat.id, [{ role: 'user', content: u1 }, { role: 'assistant', content: a1 }, { role: 'user', content: u2 }])
    await turn(chat.id, [{ role: 'user', content: u1 }, { role: 'assistant', content: a1 }, { role: 'user', content: `About ${newWord}` }])
    const before = await getChat(chat.id)
    expect(before.messages[2]!.siblings.count).toBe(2)
    expect(await hits(newWord)).toContain(chat.id)
    expect(await hits(oldWord)).not.toContain(chat.id)

    const made = await user.fetch(`/api/chats/${chat.id}/shares`, { method: 'POST' })
    expect(made.status).toBe(201)
    const { id } = await made.json() as ShareSummary
    const read = async () => ((await (await fetch(`${appUrl}/api/shares/${id}`)).json()) as SharedChat).messages.map(m => m.content)
    expect(await read()).toEqual(contents(before))

    const old = before.messages[2]!.siblings.ids[0]!
    expect((await activate(chat.id, old)).status).toBe(200)
    expect(await hits(oldWord)).toContain(chat.id)
    expect(await hits(newWord)).not.toContain(chat.id)
    // The share keeps its snapshot until it is taken again, then shows the path now active.
    expect(await read()).toEqual(contents(before))
    expect((await user.fetch(`/api/chats/${chat.id}/shares`, { method: 'POST' })).status).toBe(200)
    expect(await read()).toEqual([u1, a1, u2, a2])
  })
})
