// What the chat endpoint and the chat routes store: the user's message before the model is
// called, the answer and its usage after, no duplicate on retry, truncation, nothing in the
// playground, and the chats' titles, order, rename, delete and creation with a conversation.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { chatTitleFrom, DEFAULT_CHAT_TITLE, DEFAULT_MODEL_NAME, ERRORS, LIMITS, type ChatMessage, type ChatSummary, type ChatWithMessages } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { estimatePromptTokens } from '../../emulator/tokens.ts'
import type { ChatMessage as EmulatorMessage } from '../../emulator/types.ts'
import { directive, expectApiError, marker, readUiStream, signUp, sleep, words, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))

let user: TestUser

beforeAll(async () => {
  user = await signUp(appUrl)
})

async function getChat(chatId: number, who: TestUser = user): Promise<ChatWithMessages> {
  const res = await who.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

async function listChats(who: TestUser = user): Promise<ChatSummary[]> {
  const res = await who.fetch('/api/chats')
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatSummary[]>
}

/** One full turn: sends `messages`, reads the stream to its end. */
async function turn(chatId: number, messages: ChatMessage[], options: { playground?: boolean } = {}) {
  const res = await user.chat(chatId, messages, options)
  expect(res.status).toBe(200)
  const stream = await readUiStream(res)
  expect(stream.done).toBe(true)
  return stream
}

const recordFor = (id: string) => emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress')

describe('the user message', () => {
  it('is stored before the model is called, with its answer\'s row (visible while Workers AI has not answered yet)', async () => {
    const chat = await user.createChat()
    const id = marker()
    const content = `Wait for it ${id} ${directive({ firstTokenDelayMs: 600, tokens: 3 })}`
    const pending = user.chat(chat.id, [{ role: 'user', content }])
    await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id))
    const during = await getChat(chat.id)
    expect(during.messages.map(m => [m.role, m.content, m.status])).toEqual([['user', content, 'complete'], ['assistant', '', 'streaming']])
    expect(during.answering).toBe(true)
    const stream = await readUiStream(await pending)
    expect(stream.done).toBe(true)
    const after = await getChat(chat.id)
    expect(after.messages.map(m => m.role)).toEqual(['user', 'assistant'])
  })

  it('stays stored when the call fails before the first token (502)', async () => {
    const chat = await user.createChat()
    const content = `Fail please ${marker()} ${directive('500')}`
    await expectApiError(await user.chat(chat.id, [{ role: 'user', content }]), 502, ERRORS.upstreamFailed)
    const stored = await getChat(chat.id)
    expect(stored.messages).toHaveLength(1)
    expect(stored.messages[0]).toMatchObject({ role: 'user', content })
  })

  it('is not stored twice when the same last message is retried with no answer after it', async () => {
    const chat = await user.createChat()
    const content = `Retry me ${marker()}`
    // The first attempt fails upstream (queued so the retry, with the same text, succeeds).
    await emulator.enqueue({ error: { status: 500, code: 3043 } })
    await expectApiError(await user.chat(chat.id, [{ role: 'user', content }]), 502, ERRORS.upstreamFailed)
    expect((await getChat(chat.id)).messages.map(m => m.role)).toEqual(['user'])
    const stream = await turn(chat.id, [{ role: 'user', content }])
    const stored = await getChat(chat.id)
    expect(stored.messages.map(m => [m.role, m.content])).toEqual([['user', content], ['assistant', stream.text]])
  })

  it('is stored again when the same text is sent as a new turn after an answer', async () => {
    const chat = await user.createChat()
    const content = `Again ${marker()}`
    const first = await turn(chat.id, [{ role: 'user', content }])
    const second = await turn(chat.id, [{ role: 'user', content }, { role: 'assistant', content: first.text }, { role: 'user', content }])
    const stored = await getChat(chat.id)
    expect(stored.messages.map(m => [m.role, m.content])).toEqual([
      ['user', content], ['assistant', first.text], ['user', content], ['assistant', second.text],
    ])
  })
})

describe('the answer', () => {
  it('is stored after the stream with the usage Workers AI reported', async () => {
    const chat = await user.createChat()
    const id = marker()
    const reply = words(12)
    const content = `Count ${id} ${directive({ reply })}`
    const stream = await turn(chat.id, [{ role: 'user', content }])
    expect(stream.text).toBe(reply)
    const record = await recordFor(id)
    const received = (record.body as { messages: EmulatorMessage[] }).messages
    const stored = await getChat(chat.id)
    expect(stored.messages).toHaveLength(2)
    expect(stored.messages[1]).toMatchObject({
      role: 'assistant',
      content: reply,
      status: 'complete',
      model: DEFAULT_MODEL_NAME,
      completionTokens: record.tokensSent,
      promptTokens: estimatePromptTokens(received),
    })
    expect(record.tokensSent).toBe(12)
    expect(stored.messages[0]).toMatchObject({ role: 'user', content, status: 'complete', promptTokens: null, completionTokens: null })
    expect(new Date(stored.messages[1]!.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(stored.messages[0]!.createdAt).getTime())
    expect(stored.messages[1]!.id).toBeGreaterThan(stored.messages[0]!.id)
  })

  it('is announced in the stream: start carries the user message id, finish the stored answer', async () => {
    const chat = await user.createChat()
    const stream = await turn(chat.id, [{ role: 'user', content: `Ids ${marker()}` }])
    const stored = await getChat(chat.id)
    const start = stream.frames.find(f => f.type === 'start')!
    const finish = stream.frames.find(f => f.type === 'finish')!
    expect(start.messageMetadata).toMatchObject({ userMessageId: stored.messages[0]!.id })
    expect(finish.messageMetadata).toMatchObject({ assistantMessageId: stored.messages[1]!.id, status: 'complete' })
  })
})

describe('truncation: DELETE /api/chats/:id/messages?from=', () => {
  async function chatWithTwoTurns() {
    const chat = await user.createChat()
    const u1 = `First ${marker()}`
    const a1 = (await turn(chat.id, [{ role: 'user', content: u1 }])).text
    const u2 = `Second ${marker()}`
    await turn(chat.id, [{ role: 'user', content: u1 }, { role: 'assistant', content: a1 }, { role: 'user', content: u2 }])
    const stored = await getChat(chat.id)
    expect(stored.messages).toHaveLength(4)
    return stored
  }

  it('removes that message and every later one', async () => {
    const chat = await chatWithTwoTurns()
    const res = await user.fetch(`/api/chats/${chat.id}/messages?from=${chat.messages[2]!.id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect((await getChat(chat.id)).messages).toEqual(chat.messages.slice(0, 2))
  })

  it('regenerates: truncate the answer, resend the conversation, get a new answer stored once', async () => {
    const chat = await chatWithTwoTurns()
    const [u1, a1, u2] = chat.messages
    expect((await user.fetch(`/api/chats/${chat.id}/messages?from=${chat.messages[3]!.id}`, { method: 'DELETE' })).status).toBe(204)
    const again = await turn(chat.id, [u1!, a1!, u2!].map(m => ({ role: m.role, content: m.content })))
    const stored = await getChat(chat.id)
    expect(stored.messages.map(m => m.content)).toEqual([u1!.content, a1!.content, u2!.content, again.text])
  })

  it('can empty the chat from its first message', async () => {
    const chat = await chatWithTwoTurns()
    expect((await user.fetch(`/api/chats/${chat.id}/messages?from=${chat.messages[0]!.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await getChat(chat.id)).messages).toEqual([])
  })

  it('answers 404 for a message of another chat, and deletes nothing in either', async () => {
    const chat = await chatWithTwoTurns()
    const other = await chatWithTwoTurns()
    await expectApiError(await user.fetch(`/api/chats/${chat.id}/messages?from=${other.messages[1]!.id}`, { method: 'DELETE' }), 404, ERRORS.messageNotFound)
    await expectApiError(await user.fetch(`/api/chats/${chat.id}/messages?from=${LIMITS.maxChatId}`, { method: 'DELETE' }), 404, ERRORS.messageNotFound)
    expect((await getChat(chat.id)).messages).toEqual(chat.messages)
    expect((await getChat(other.id)).messages).toEqual(other.messages)
  })

  it('answers 400 for a missing or malformed from', async () => {
    const chat = await user.createChat()
    for (const query of ['', '?from=', '?from=abc', '?from=1.5', '?from=-1', '?from=0']) {
      await expectApiError(await user.fetch(`/api/chats/${chat.id}/messages${query}`, { method: 'DELETE' }), 400, /.+/)
    }
  })
})

describe('the playground (is_playground=true)', () => {
  async function snapshot() {
    const chats = await listChats()
    const messages = await Promise.all(chats.map(c => getChat(c.id).then(full => full.messages.length)))
    return { chats, messages }
  }

  it('stores nothing, for an existing chat, a missing one or any integer id', async () => {
    const existing = await user.createChat()
    await turn(existing.id, [{ role: 'user', content: `Seed ${marker()}` }])
    const before = await snapshot()
    for (const chatId of [existing.id, LIMITS.maxChatId, 0, -5]) {
      const stream = await turn(chatId, [{ role: 'user', content: `Playground ${marker()}` }], { playground: true })
      expect(stream.text.length).toBeGreaterThan(0)
      const start = stream.frames.find(f => f.type === 'start')!
      expect(start.messageMetadata ?? {}).not.toHaveProperty('userMessageId')
    }
    // An upstream failure in the playground stores nothing either.
    await expectApiError(await user.chat(existing.id, [{ role: 'user', content: `x ${directive('500')}` }], { playground: true }), 502, ERRORS.upstreamFailed)
    await sleep(50)
    expect(await snapshot()).toEqual(before)
  })
})

describe('chats', () => {
  it('get their title from the first message (until a generated one replaces it: here it fails)', async () => {
    const chat = await user.createChat()
    expect(chat.title).toBe(DEFAULT_CHAT_TITLE)
    const first = `What is the capital of France? ${marker()} ${directive({ title: { error: { status: 500, code: 3043 } } })}`
    const stream = await turn(chat.id, [{ role: 'user', content: first }])
    expect((await getChat(chat.id)).title).toBe(chatTitleFrom(first))
    // The second message does not rename it.
    await turn(chat.id, [{ role: 'user', content: first }, { role: 'assistant', content: stream.text }, { role: 'user', content: 'And of Spain?' }])
    expect((await getChat(chat.id)).title).toBe(chatTitleFrom(first))
  })

  it('get a shortened title from a long first message, and keep a title given on creation', async () => {
    const long = await user.createChat()
    const content = `${'word '.repeat(40)}${marker()}`
    await turn(long.id, [{ role: 'user', content }])
    const title = (await getChat(long.id)).title
    expect(title.length).toBeLessThanOrEqual(LIMITS.maxTitleChars)
    expect(title.length).toBeLessThan(content.length)
    expect(content.startsWith(title.replace(/…$/, '').trimEnd())).toBe(true)

    const named = await user.createChat('My own title')
    await turn(named.id, [{ role: 'user', content: 'Hello there' }])
    expect((await getChat(named.id)).title).toBe('My own title')
  })

  it('are listed newest first, and a new message moves a chat to the top', async () => {
    const who = await signUp(appUrl)
    const a = await who.createChat('A')
    await sleep(5)
    const b = await who.createChat('B')
    expect((await listChats(who)).map(c => c.id)).toEqual([b.id, a.id])
    await sleep(5)
    const res = await who.chat(a.id, [{ role: 'user', content: 'bump' }])
    await readUiStream(res)
    expect((await listChats(who)).map(c => c.id)).toEqual([a.id, b.id])
  })

  it('report one last activity in the list and in the chat: the newest message\'s time', async () => {
    const who = await signUp(appUrl)
    const chat = await who.createChat('Activity')
    await sleep(20)
    await readUiStream(await who.chat(chat.id, [{ role: 'user', content: 'later' }]))
    const listed = (await listChats(who)).find(c => c.id === chat.id)!
    const opened = await getChat(chat.id, who)
    const newest = opened.messages.map(m => m.createdAt).sort().at(-1)!
    expect(opened.updatedAt).toBe(newest)
    expect(listed.updatedAt).toBe(opened.updatedAt)
    expect(Date.parse(listed.updatedAt)).toBeGreaterThan(Date.parse(chat.createdAt))
  })

  it('can be renamed', async () => {
    const chat = await user.createChat('Before')
    const res = await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: '  After  ' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: chat.id, title: 'After' })
    expect((await getChat(chat.id)).title).toBe('After')
    expect((await listChats()).find(c => c.id === chat.id)?.title).toBe('After')
  })

  it.each([
    ['an empty title', { title: '' }],
    ['a blank title', { title: '   ' }],
    ['a title that is too long', { title: 'x'.repeat(LIMITS.maxTitleChars + 1) }],
    ['no title', {}],
    ['a title that is not a string', { title: 5 }],
  ])('refuse a rename to %s with 400', async (_, body) => {
    const chat = await user.createChat('Kept')
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body }), 400, ERRORS.titleInvalid)
    expect((await getChat(chat.id)).title).toBe('Kept')
  })

  it('can be deleted, with their messages', async () => {
    const chat = await user.createChat()
    await turn(chat.id, [{ role: 'user', content: 'to be deleted' }])
    const res = await user.fetch(`/api/chats/${chat.id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`), 404, ERRORS.chatNotFound)
    expect((await listChats()).some(c => c.id === chat.id)).toBe(false)
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`, { method: 'DELETE' }), 404, ERRORS.chatNotFound)
    await expectApiError(await user.chat(chat.id, [{ role: 'user', content: 'still there?' }]), 404, ERRORS.chatNotFound)
  })

  it('answer 404 for malformed ids on every chat route', async () => {
    for (const id of ['abc', '1.5', '0', '-1', '99999999999']) {
      await expectApiError(await user.fetch(`/api/chats/${id}`), 404, ERRORS.chatNotFound)
      await expectApiError(await user.fetch(`/api/chats/${id}`, { method: 'DELETE' }), 404, ERRORS.chatNotFound)
      await expectApiError(await user.fetch(`/api/chats/${id}`, { method: 'PATCH', body: { title: 'x' } }), 404, ERRORS.chatNotFound)
    }
  })

  it('can be created with a conversation (POST /api/chats {title, messages}), stored as given', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Question one' },
      { role: 'assistant', content: 'Answer one' },
      { role: 'user', content: 'Question two' },
      { role: 'assistant', content: 'Answer two' },
    ]
    const res = await user.fetch('/api/chats', { method: 'POST', body: { title: 'Saved playground', messages } })
    expect(res.status).toBe(201)
    const created = await res.json() as ChatSummary
    expect(created.title).toBe('Saved playground')
    const stored = await getChat(created.id)
    expect(stored.messages.map(m => ({ role: m.role, content: m.content }))).toEqual(messages)
    expect(stored.messages.every(m => m.status === 'complete')).toBe(true)
    expect((await listChats())[0]!.id).toBe(created.id)

    // Without a title, the first user message names it; the chat then continues normally.
    const untitled = await (await user.fetch('/api/chats', { method: 'POST', body: { messages } })).json() as ChatSummary
    expect(untitled.title).toBe('Question one')
    await turn(untitled.id, [...messages, { role: 'user', content: 'Question three' }])
    expect((await getChat(untitled.id)).messages.map(m => m.content).slice(4, 5)).toEqual(['Question three'])
  })

  it('refuse a creation with invalid messages or title, storing nothing', async () => {
    const before = (await listChats()).length
    await expectApiError(await user.fetch('/api/chats', { method: 'POST', body: { messages: [{ role: 'system', content: 'x' }] } }), 400, /role/)
    await expectApiError(await user.fetch('/api/chats', { method: 'POST', body: { title: '' } }), 400, ERRORS.titleInvalid)
    await expectApiError(await user.fetch('/api/chats', { method: 'POST', body: { messages: Array.from({ length: LIMITS.maxMessages + 1 }, () => ({ role: 'user', content: 'x' })) } }), 400, ERRORS.tooManyMessages)
    expect((await listChats()).length).toBe(before)
  })

  it('are private: listing shows only the caller\'s chats', async () => {
    const other = await signUp(appUrl)
    const mine = await other.createChat('Mine')
    expect((await listChats(other)).map(c => c.id)).toEqual([mine.id])
    expect((await listChats()).some(c => c.id === mine.id)).toBe(false)
  })
})

describe('edge cases', () => {
  it('stores one user message and one answer when the same message is sent twice at once: both requests read that answer', async () => {
    const chat = await user.createChat()
    const content = `Double click ${marker()} ${directive({ tokens: 5, tokenDelayMs: 20 })}`
    const [a, b] = await Promise.all([
      user.chat(chat.id, [{ role: 'user', content }]),
      user.chat(chat.id, [{ role: 'user', content }]),
    ])
    const [streamA, streamB] = await Promise.all([readUiStream(a), readUiStream(b)])
    const stored = await getChat(chat.id)
    expect(stored.messages.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
    expect(stored.messages[0]).toMatchObject({ role: 'user', content })
    expect(streamA.text).toBe(stored.messages[1]!.content)
    expect(streamB.text).toBe(stored.messages[1]!.content)
  })

  it('finishes the stream and stores nothing when the chat is deleted while the answer streams', async () => {
    const chat = await user.createChat()
    const id = marker()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Delete me ${id} ${directive({ tokens: 20, tokenDelayMs: 20 })}` }])
    expect(res.status).toBe(200)
    const reading = readUiStream(res)
    await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.tokensSent > 0)
    expect((await user.fetch(`/api/chats/${chat.id}`, { method: 'DELETE' })).status).toBe(204)
    const stream = await reading
    expect(stream.text.length).toBeGreaterThan(0)
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`), 404, ERRORS.chatNotFound)
    expect((await fetch(`${appUrl}/api/health`)).status).toBe(200)
  })

  it('does not time out a slow but steady answer: the idle timer restarts with every token', async () => {
    // Two gaps of 1.2 s: each under the 2 s idle timeout, together over it.
    const chat = await user.createChat()
    const reply = words(3, 'slow')
    const stream = await turn(chat.id, [{ role: 'user', content: `Steady ${marker()} ${directive({ reply, tokenDelayMs: 1200 })}` }])
    expect(stream.text).toBe(reply)
    expect((await getChat(chat.id)).messages[1]).toMatchObject({ content: reply, status: 'complete' })
  })

  it('handles an empty answer (Workers AI sends no token): a well-formed stream, stored as an empty complete answer', async () => {
    const chat = await user.createChat()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Say nothing ${marker()} ${directive({ tokens: 0 })}` }])
    expect(res.status).toBe(200)
    const stream = await readUiStream(res)
    expect(stream.done).toBe(true)
    expect(stream.text).toBe('')
    expect(stream.frames.map(f => f.type)).toContain('finish')
    const stored = await getChat(chat.id)
    expect(stored.messages.map(m => m.role)).toEqual(['user', 'assistant'])
    expect(stored.messages[1]).toMatchObject({ content: '', status: 'complete' })
  })

  it('stores a long answer (capped by max_tokens) and multi-byte text exactly', async () => {
    const chat = await user.createChat()
    const id = marker()
    const first = await turn(chat.id, [{ role: 'user', content: `Long ${id} ${directive({ tokens: 5000, tokenDelayMs: 0 })}` }])
    const record = await recordFor(id)
    expect(record.tokensSent).toBe((record.body as { max_tokens: number }).max_tokens)
    const reply = 'Grüße aus Köln 🚀🚀 日本語のテキスト — «ok» \u2028 done'
    const second = await turn(chat.id, [
      { role: 'user', content: `Long ${id}` }, { role: 'assistant', content: first.text },
      { role: 'user', content: `Unicode ${directive({ reply, tokensPerFrame: 3 })}` },
    ])
    expect(second.text).toBe(reply)
    const stored = await getChat(chat.id)
    expect(stored.messages[1]).toMatchObject({ content: first.text, completionTokens: record.tokensSent, status: 'complete' })
    expect(stored.messages[3]!.content).toBe(reply)
  })
})
