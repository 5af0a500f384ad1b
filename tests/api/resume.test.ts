// Answers that outlive their connection: a saved chat's answer goes on when its client leaves,
// GET /api/chats/:id/stream resumes it (everything so far, then live, ending as the original
// does), a stop from any connection ends it, and a user has a bounded number generating at once.
// Runs on Node (PGlite, PostgreSQL) and on the Worker build, where a resume may land in another
// isolate and follows the answer's row.
import { randomUUID } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
import { DEFAULTS, ERRORS, LIVE_MODELS, type ChatSummary, type ChatWithMessages, type StoredMessage, type UsageReport } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { directive, expectApiError, readUiStream, readUiStreamLive, signUp, sleep, ssePayloads, type ReadStream, type TestUser, type UiFrame } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))

/** A reply long enough to leave and come back in the middle of: 80 tokens, 2 s. */
const SLOW = { tokens: 80, tokenDelayMs: 25 }

function question(label: string, behaviour: Record<string, unknown> = SLOW) {
  const id = `${label}-${randomUUID()}`
  return { id, content: `${label} ${id} ${directive(behaviour)}` }
}

function resume(user: TestUser, chatId: number, signal?: AbortSignal) {
  return user.fetch(`/api/chats/${chatId}/stream`, { signal })
}

async function storedChat(user: TestUser, chatId: number): Promise<ChatWithMessages> {
  const res = await user.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

/** The chat's last answer once it has ended (not `streaming`). */
async function endedAnswer(user: TestUser, chatId: number, timeoutMs = 10_000): Promise<StoredMessage> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const answer = (await storedChat(user, chatId)).messages.findLast(m => m.role === 'assistant')
    if (answer && answer.status !== 'streaming') return answer
    if (Date.now() > deadline) throw new Error(`answer still ${answer?.status ?? 'missing'} after ${timeoutMs} ms`)
    await sleep(50)
  }
}

const frameOf = (stream: ReadStream, type: string) => stream.frames.find(f => f.type === type) as (UiFrame & { messageMetadata?: Record<string, unknown>, messageId?: string }) | undefined

/** The generation id from a stream's start frame, once it has arrived. */
async function generationIdOf(live: ReadStream): Promise<string> {
  await expect.poll(() => frameOf(live, 'start'), { timeout: 5000 }).toBeDefined()
  return frameOf(live, 'start')!.messageMetadata!.generationId as string
}

describe('a saved chat\'s answer when its client leaves', () => {
  it('goes on to the end and is stored complete; a resume on the same chat gets all of it, live', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const { id, content } = question('leave')
    const first = await readUiStream(await user.chat(chat.id, [{ role: 'user', content }]), { stopAfterDeltas: 5 })
    expect(first.text.length).toBeGreaterThan(0)

    const res = await resume(user, chat.id)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const resumed = await readUiStream(res)
    expect(resumed.done).toBe(true)

    const answer = await endedAnswer(user, chat.id)
    expect(answer.status).toBe('complete')
    // Byte for byte: the stored answer, all the resumed client received, and an extension of
    // what the first client got before it left.
    expect(resumed.text).toBe(answer.content)
    expect(resumed.text.startsWith(first.text)).toBe(true)
    expect(frameOf(resumed, 'start')!.messageMetadata).toEqual(frameOf(first, 'start')!.messageMetadata)
    expect(frameOf(resumed, 'start')!.messageId).toBe(`db-${answer.id}`)
    expect(frameOf(resumed, 'finish')!.messageMetadata).toEqual({
      assistantMessageId: answer.id,
      status: 'complete',
      usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens, neurons: answer.neurons, costUsd: answer.costUsd },
      finishReason: 'stop',
    })
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress')
    expect(record.outcome).toBe('completed')
    expect(record.textSent).toBe(answer.content)
  })

  it('gives an uninterrupted client and a resuming one the same text and the same finish', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const { content } = question('together')
    const original = readUiStreamLive(await user.chat(chat.id, [{ role: 'user', content }]))
    await sleep(600)
    const resumed = await readUiStream(await resume(user, chat.id))
    const uninterrupted = await original.done
    const answer = await endedAnswer(user, chat.id)
    expect(uninterrupted.text).toBe(answer.content)
    expect(resumed.text).toBe(answer.content)
    expect(frameOf(resumed, 'finish')!.messageMetadata).toEqual(frameOf(uninterrupted, 'finish')!.messageMetadata)
  })

  it('is found by a resume that arrives before the first token', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const { id, content } = question('early', { tokens: 20, firstTokenDelayMs: 800, tokenDelayMs: 10 })
    const controller = new AbortController()
    const pending = user.chat(chat.id, [{ role: 'user', content }], { signal: controller.signal }).catch(() => undefined)
    await expect.poll(async () => (await storedChat(user, chat.id)).messages.at(-1)?.status, { timeout: 5000 }).toBe('streaming')
    controller.abort()
    await pending
    const res = await resume(user, chat.id)
    expect(res.status).toBe(200)
    const resumed = await readUiStream(res)
    expect(resumed.text).toBe((await endedAnswer(user, chat.id)).content)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress')
    expect(record).toMatchObject({ outcome: 'completed', tokensSent: 20, textSent: resumed.text })
  })
})

describe('a reasoning model\'s answer', () => {
  const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'reasoning-field')!
  /** Thinks for about 1.5 s before it writes a word, then writes for about 1 s. */
  const THINKING = { reasoningTokens: 60, tokens: 40, tokenDelayMs: 25 }
  const reasoningOf = (stream: ReadStream) => stream.frames.filter(frame => frame.type === 'reasoning-delta').map(frame => frame.delta as string).join('')
  const kinds = (stream: ReadStream) => stream.frames.map(frame => frame.type).filter(type => !type.endsWith('-delta'))

  it('left while thinking, is resumed with its thinking, then its text, ending as the original stream ends; its cost counts once', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const { id, content } = question('thinker', THINKING)
    const controller = new AbortController()
    const original = readUiStreamLive(await user.chat(chat.id, [{ role: 'user', content }], { model: thinker.name, signal: controller.signal }))
    original.done.catch(() => {})
    await expect.poll(() => original.live.frames.filter(frame => frame.type === 'reasoning-delta').length, { timeout: 5000 }).toBeGreaterThan(5)
    expect(original.live.text).toBe('')
    controller.abort()
    // The answer's row has its thinking so far (a checkpoint) while it still thinks.
    await expect.poll(async () => (await storedChat(user, chat.id)).messages.at(-1)?.reasoning?.length ?? 0, { timeout: 3000 }).toBeGreaterThan(0)

    const resumed = await readUiStream(await resume(user, chat.id))
    const answer = await endedAnswer(user, chat.id)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress')
    expect(answer).toMatchObject({ status: 'complete', model: thinker.name, content: record.textSent, reasoning: record.reasoningSent.trim() })
    expect(resumed.text).toBe(answer.content)
    expect(reasoningOf(resumed).trim()).toBe(answer.reasoning)
    expect(reasoningOf(resumed).startsWith(reasoningOf(original.live).trim())).toBe(true)
    expect(kinds(resumed)).toEqual(['start', 'start-step', 'reasoning-start', 'reasoning-end', 'text-start', 'text-end', 'finish-step', 'finish'])
    expect(frameOf(resumed, 'start')!.messageMetadata).toEqual(frameOf(original.live, 'start')!.messageMetadata)
    expect(frameOf(resumed, 'start')!.messageMetadata!.model).toBe(thinker.name)
    expect(frameOf(resumed, 'finish')!.messageMetadata).toEqual({
      assistantMessageId: answer.id,
      status: 'complete',
      usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens, neurons: answer.neurons, costUsd: answer.costUsd },
      reasoningMs: answer.reasoningMs,
      finishReason: 'stop',
    })
    expect(answer.reasoningMs).toBeGreaterThan(0)

    const usage = await (await user.fetch('/api/usage')).json() as UsageReport
    expect(usage.today.models).toEqual([expect.objectContaining({ model: thinker.name, answers: 1, neurons: answer.neurons })])
  })

  it('gives an uninterrupted client and one that resumes mid-thought the same thinking, text and finish', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const { content } = question('thinkers', THINKING)
    const original = readUiStreamLive(await user.chat(chat.id, [{ role: 'user', content }], { model: thinker.name }))
    await expect.poll(() => original.live.frames.filter(frame => frame.type === 'reasoning-delta').length, { timeout: 5000 }).toBeGreaterThan(5)
    const resumed = await readUiStream(await resume(user, chat.id))
    const uninterrupted = await original.done
    const answer = await endedAnswer(user, chat.id)
    expect(uninterrupted.text).toBe(answer.content)
    expect(resumed.text).toBe(answer.content)
    expect(reasoningOf(uninterrupted).trim()).toBe(answer.reasoning)
    expect(reasoningOf(resumed).trim()).toBe(answer.reasoning)
    expect(frameOf(resumed, 'start')!.messageMetadata).toEqual(frameOf(uninterrupted, 'start')!.messageMetadata)
    expect(frameOf(resumed, 'finish')).toEqual(frameOf(uninterrupted, 'finish'))
  })
})

describe('GET /api/chats/:id/stream', () => {
  it('answers 204 once the answer has ended, and the answer is in GET /api/chats/:id', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const { content } = question('ended', { tokens: 12 })
    const stream = await readUiStream(await user.chat(chat.id, [{ role: 'user', content }]))
    const res = await resume(user, chat.id)
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    const stored = await storedChat(user, chat.id)
    expect(stored.messages.map(m => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']])
    expect(stored.messages[1]!.content).toBe(stream.text)
  })

  it('answers 204 for a chat that never had an answer, 404 for another user\'s or a missing chat, 401 without a session', async () => {
    const owner = await signUp(appUrl)
    const other = await signUp(appUrl)
    const chat = await owner.createChat()
    expect((await resume(owner, chat.id)).status).toBe(204)
    await expectApiError(await resume(other, chat.id), 404, ERRORS.chatNotFound)
    await expectApiError(await owner.fetch('/api/chats/2147483647/stream'), 404, ERRORS.chatNotFound)
    await expectApiError(await owner.fetch('/api/chats/abc/stream'), 404, ERRORS.chatNotFound)
    await expectApiError(await fetch(`${appUrl}/api/chats/${chat.id}/stream`), 401, ERRORS.unauthorized)
  })

  it('does not resume another user\'s answer in progress', async () => {
    const owner = await signUp(appUrl)
    const other = await signUp(appUrl)
    const chat = await owner.createChat()
    const live = readUiStreamLive(await owner.chat(chat.id, [{ role: 'user', content: question('mine').content }]))
    await sleep(300)
    await expectApiError(await resume(other, chat.id), 404, ERRORS.chatNotFound)
    await live.done
  })

  it('leaves nothing to resume when the answer fails before its first token', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const res = await user.chat(chat.id, [{ role: 'user', content: `fails ${randomUUID()} ${directive({ error: { status: 500, code: 3043 } })}` }])
    expect(res.status).toBe(502)
    expect((await resume(user, chat.id)).status).toBe(204)
    const stored = await storedChat(user, chat.id)
    expect(stored.messages.map(m => m.role)).toEqual(['user'])
    expect(stored.answering).toBe(false)
  })
})

describe('stopping an answer from another connection', () => {
  it('ends every reader\'s stream with an abort and stores what was generated as aborted', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const original = readUiStreamLive(await user.chat(chat.id, [{ role: 'user', content: question('stop', { tokens: 400, tokenDelayMs: 25 }).content }]))
    await sleep(300)
    const second = readUiStreamLive(await resume(user, chat.id))
    await expect.poll(() => second.live.text.length, { timeout: 5000 }).toBeGreaterThan(0)
    const generationId = await generationIdOf(second.live)
    const stop = await user.fetch(`/api/generations/${generationId}/stop`, { method: 'POST' })
    expect([202, 204]).toContain(stop.status)
    const [a, b] = await Promise.all([original.done, second.done])
    for (const stream of [a, b]) {
      expect(stream.frames.map(f => f.type)).toContain('abort')
      expect(stream.frames.map(f => f.type)).not.toContain('finish')
    }
    const answer = await endedAnswer(user, chat.id)
    expect(answer.status).toBe('aborted')
    expect(a.text).toBe(answer.content)
    expect(b.text).toBe(answer.content)
    expect(answer.content.split(' ').length).toBeLessThan(400)
  })

  it('a new question in the chat stops its answer in progress, kept as aborted before it', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const first = question('first', { tokens: 400, tokenDelayMs: 25 })
    await readUiStream(await user.chat(chat.id, [{ role: 'user', content: first.content }]), { stopAfterDeltas: 3 })
    const second = question('second', { tokens: 10 })
    const next = await readUiStream(await user.chat(chat.id, [{ role: 'user', content: first.content }, { role: 'assistant', content: '…' }, { role: 'user', content: second.content }]))
    expect(next.done).toBe(true)
    await expect.poll(async () => (await storedChat(user, chat.id)).messages.map(m => `${m.role}:${m.status}`), { timeout: 5000 })
      .toEqual(['user:complete', 'assistant:aborted', 'user:complete', 'assistant:complete'])
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(first.id) && r.outcome !== 'in-progress')
    expect(record.tokensSent).toBeLessThan(400)
  })
})

describe('answers generating at once', () => {
  it(`refuses a user's answer past ${DEFAULTS.maxConcurrentAnswers} with 429 and Retry-After, and takes one again once an answer ends`, async () => {
    const user = await signUp(appUrl)
    const chats = await Promise.all(Array.from({ length: DEFAULTS.maxConcurrentAnswers + 1 }, () => user.createChat()))
    const running = await Promise.all(chats.slice(0, -1).map(async (chat) => {
      const res = await user.chat(chat.id, [{ role: 'user', content: question('busy', { tokens: 400, tokenDelayMs: 25 }).content }])
      expect(res.status).toBe(200)
      return readUiStreamLive(res)
    }))
    const last = chats.at(-1)!
    const refused = await user.chat(last.id, [{ role: 'user', content: question('one too many', { tokens: 5 }).content }])
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/)
    await expectApiError(refused, 429, ERRORS.tooManyAnswers)
    // Refused questions are not stored.
    expect((await storedChat(user, last.id)).messages).toEqual([])
    // Another user is not affected.
    const other = await signUp(appUrl)
    const otherChat = await other.createChat()
    expect((await readUiStream(await other.chat(otherChat.id, [{ role: 'user', content: question('other', { tokens: 5 }).content }]))).done).toBe(true)

    const generationId = await generationIdOf(running[0]!.live)
    await user.fetch(`/api/generations/${generationId}/stop`, { method: 'POST' })
    await running[0]!.done
    await endedAnswer(user, chats[0]!.id)
    const accepted = await user.chat(last.id, [{ role: 'user', content: question('now', { tokens: 5 }).content }])
    expect(accepted.status).toBe(200)
    await readUiStream(accepted)
    for (const chat of chats.slice(1, -1)) {
      const answer = (await storedChat(user, chat.id)).messages.at(-1)!
      await user.fetch(`/api/generations/${answer.generationId}/stop`, { method: 'POST' })
    }
    await Promise.all(running.map(stream => stream.done))
  })

  it(`of ${DEFAULTS.maxConcurrentAnswers + 3} turns asked at the same moment, in as many chats, exactly ${DEFAULTS.maxConcurrentAnswers} are answered; the others are refused and store nothing`, async () => {
    const user = await signUp(appUrl)
    const chats = await Promise.all(Array.from({ length: DEFAULTS.maxConcurrentAnswers + 3 }, () => user.createChat()))
    const responses = await Promise.all(chats.map(chat => user.chat(chat.id, [{ role: 'user', content: question('at once', { tokens: 20, tokenDelayMs: 25 }).content }])))
    expect(responses.filter(res => res.status === 200)).toHaveLength(DEFAULTS.maxConcurrentAnswers)
    for (const res of responses.filter(res => res.status !== 200)) await expectApiError(res, 429, ERRORS.tooManyAnswers)
    await Promise.all(responses.filter(res => res.status === 200).map(res => readUiStream(res)))
    const stored = await Promise.all(chats.map(chat => storedChat(user, chat.id)))
    expect(stored.filter(chat => chat.messages.length > 0)).toHaveLength(DEFAULTS.maxConcurrentAnswers)
  })
})

describe('the chat list', () => {
  it('says which chat is answering, then that its answer is unread until the chat is opened', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const list = async () => (await (await user.fetch('/api/chats')).json() as ChatSummary[]).find(c => c.id === chat.id)!
    expect(await list()).toMatchObject({ answering: false, unread: false })
    await readUiStream(await user.chat(chat.id, [{ role: 'user', content: question('unread', { tokens: 40, tokenDelayMs: 25 }).content }]), { stopAfterDeltas: 2 })
    expect(await list()).toMatchObject({ answering: true, unread: false })
    await expect.poll(async () => (await list()).answering, { timeout: 10_000 }).toBe(false)
    expect((await list()).unread).toBe(true)
    await storedChat(user, chat.id)
    expect(await list()).toMatchObject({ answering: false, unread: false })
  })

  it('does not mark an answer unread that a client read to its end', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    await readUiStream(await user.chat(chat.id, [{ role: 'user', content: question('read', { tokens: 10 }).content }]))
    const listed = (await (await user.fetch('/api/chats')).json() as ChatSummary[]).find(c => c.id === chat.id)!
    expect(listed).toMatchObject({ answering: false, unread: false })
  })
})

describe('resuming with curl', () => {
  it('is a plain GET whose body is the UI message stream, ending with [DONE]', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    await readUiStream(await user.chat(chat.id, [{ role: 'user', content: question('curl', { tokens: 30, tokenDelayMs: 20 }).content }]), { stopAfterDeltas: 1 })
    const raw = await (await fetch(`${appUrl}/api/chats/${chat.id}/stream`, { headers: { cookie: user.cookie } })).text()
    const payloads = ssePayloads(raw)
    expect(payloads[0]).toMatchObject({ type: 'start' })
    expect(payloads.at(-2)).toMatchObject({ type: 'finish' })
    expect(payloads.at(-1)).toBe('[DONE]')
  })
})
