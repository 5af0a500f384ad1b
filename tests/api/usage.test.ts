// A chat's model and the user's last used one; what answers cost, per day and model
// (GET /api/usage); and the daily Neuron cap (CHAT_DAILY_NEURON_LIMIT: 429 with Retry-After
// until midnight UTC, nothing stored).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  DEFAULT_MODEL_NAME, ERRORS, FREE_DAILY_NEURONS, LIVE_MODELS, MODELS, NEURON_PRICE_USD, secondsUntilMidnightUtc,
  type ChatSummary, type ChatWithMessages, type CurrentUser, type UsageReport,
} from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { expectApiError, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const [first, second] = LIVE_MODELS.filter(model => model.name !== DEFAULT_MODEL_NAME)

async function answer(user: TestUser, chatId: number, model: string, options: { playground?: boolean } = {}) {
  const res = await user.chat(chatId, [{ role: 'user', content: 'Hello there' }], { model, ...options })
  expect(res.status).toBe(200)
  return readUiStream(res)
}

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await res).json() as Promise<T>
}

describe('a chat\'s model', () => {
  let user: TestUser
  beforeAll(async () => {
    user = await signUp(appUrl)
  })

  it('is the model of its last turn, and becomes the user\'s last used one', async () => {
    const chat = await user.createChat()
    expect(chat.model).toBeNull()
    await answer(user, chat.id, first!.name)
    expect((await json<ChatWithMessages>(user.fetch(`/api/chats/${chat.id}`))).model).toBe(first!.name)
    expect((await json<CurrentUser>(user.fetch('/api/auth/me'))).lastModel).toBe(first!.name)
    const list = await json<ChatSummary[]>(user.fetch('/api/chats'))
    expect(list.find(other => other.id === chat.id)?.model).toBe(first!.name)
  })

  it('changes for the next turn with PATCH {model}, which the next new chat starts with', async () => {
    const chat = await user.createChat()
    const res = await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { model: second!.name } })
    expect(res.status).toBe(200)
    expect((await res.json() as ChatSummary).model).toBe(second!.name)
    expect((await json<CurrentUser>(user.fetch('/api/auth/me'))).lastModel).toBe(second!.name)
    expect((await user.createChat()).model).toBe(second!.name)
    // Given explicitly, the model wins.
    const created = await json<ChatSummary>(user.fetch('/api/chats', { method: 'POST', body: { model: first!.name } }))
    expect(created.model).toBe(first!.name)
  })

  it('records the model of each answer, even when the chat switches mid-way', async () => {
    const chat = await user.createChat()
    await answer(user, chat.id, first!.name)
    const res = await user.chat(chat.id, [
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: 'Hi' },
      { role: 'user', content: 'Again' },
    ], { model: second!.name })
    await readUiStream(res)
    const stored = await json<ChatWithMessages>(user.fetch(`/api/chats/${chat.id}`))
    expect(stored.messages.filter(message => message.role === 'assistant').map(message => message.model)).toEqual([first!.name, second!.name])
    expect(stored.model).toBe(second!.name)
  })

  it('refuses an unknown or retired model, and another user\'s chat, changing nothing', async () => {
    const chat = await user.createChat()
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { model: 'gpt-9' } }), 400, ERRORS.invalidModel)
    const retired = MODELS.find(model => model.retired)!.name
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { model: retired } }), 400, ERRORS.serviceRetired)
    await expectApiError(await user.fetch('/api/chats', { method: 'POST', body: { model: retired } }), 400, ERRORS.serviceRetired)
    const stranger = await signUp(appUrl)
    await expectApiError(await stranger.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { model: first!.name } }), 404, ERRORS.chatNotFound)
    expect((await json<ChatWithMessages>(user.fetch(`/api/chats/${chat.id}`))).model).toBe(chat.model)
  })
})

describe('GET /api/usage', () => {
  it('needs a session', async () => {
    await expectApiError(await fetch(`${appUrl}/api/usage`), 401, ERRORS.unauthorized)
  })

  it('sums today\'s and this month\'s answers per model, the playground\'s included, and keeps them when messages are deleted', async () => {
    const user = await signUp(appUrl)
    const empty = await json<UsageReport>(user.fetch('/api/usage'))
    expect(empty).toMatchObject({ freeDailyNeurons: FREE_DAILY_NEURONS, dailyNeuronLimit: null, today: { models: [], total: { answers: 0, neurons: 0 } } })
    expect(empty.today.from).toBe(new Date().toISOString().slice(0, 10))
    expect(empty.month.from).toBe(`${new Date().toISOString().slice(0, 7)}-01`)
    expect(Date.parse(empty.resetsAt) - Date.now()).toBeCloseTo(secondsUntilMidnightUtc() * 1000, -4)

    const chat = await user.createChat()
    await answer(user, chat.id, first!.name)
    await answer(user, chat.id, first!.name)
    await answer(user, 0, second!.name, { playground: true })
    const stored = await json<ChatWithMessages>(user.fetch(`/api/chats/${chat.id}`))
    const answers = stored.messages.filter(message => message.role === 'assistant')

    const report = await json<UsageReport>(user.fetch('/api/usage'))
    const row = report.today.models.find(entry => entry.model === first!.name)!
    expect(row).toMatchObject({
      answers: 2,
      promptTokens: answers.reduce((sum, message) => sum + message.promptTokens!, 0),
      completionTokens: answers.reduce((sum, message) => sum + message.completionTokens!, 0),
    })
    expect(row.neurons).toBeCloseTo(answers.reduce((sum, message) => sum + message.neurons!, 0), 9)
    expect(row.usd).toBeCloseTo(row.neurons * NEURON_PRICE_USD, 12)
    expect(report.today.models.find(entry => entry.model === second!.name)?.answers).toBe(1)
    expect(report.today.total.answers).toBe(3)
    expect(report.month.total.neurons).toBeCloseTo(report.today.total.neurons, 9)

    await user.fetch(`/api/chats/${chat.id}`, { method: 'DELETE' })
    expect((await json<UsageReport>(user.fetch('/api/usage'))).today.total.answers).toBe(3)
  })

  it('counts a stopped answer at an estimate, though Workers AI reported no usage for it', async () => {
    const user = await signUp(appUrl)
    const chat = await user.createChat()
    const res = await user.chat(chat.id, [{ role: 'user', content: 'Tell me more [[emulator:{"tokens":400,"tokenDelayMs":5}]]' }], { model: first!.name })
    const begun = await readUiStream(res, { stopAfterDeltas: 10 })
    // A saved chat's answer outlives its client: the stop route ends it.
    const generationId = (begun.frames.find(frame => frame.type === 'start') as unknown as { messageMetadata: { generationId: string } }).messageMetadata.generationId
    expect([202, 204]).toContain((await user.fetch(`/api/generations/${generationId}/stop`, { method: 'POST' })).status)
    const row = await (async () => {
      for (let i = 0; i < 100; i++) {
        const found = (await json<UsageReport>(user.fetch('/api/usage'))).today.models[0]
        if (found) return found
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    })()
    expect(row).toMatchObject({ model: first!.name, answers: 1 })
    expect(row!.neurons).toBeGreaterThan(0)
    const stored = await json<ChatWithMessages>(user.fetch(`/api/chats/${chat.id}`))
    expect(stored.messages[1]).toMatchObject({ status: 'aborted', promptTokens: null })
    expect(stored.messages[1]!.neurons).toBeCloseTo(row!.neurons, 9)
  })

  it('is private: another user\'s answers never show', async () => {
    const [alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
    await answer(alice, (await alice.createChat()).id, first!.name)
    expect((await json<UsageReport>(bob.fetch('/api/usage'))).today.models).toEqual([])
  })
})

describe('CHAT_DAILY_NEURON_LIMIT', () => {
  let capped: AppServer
  beforeAll(async () => {
    capped = await startAppServer({ emulatorUrl: inject('emulatorUrl'), env: { CHAT_DAILY_NEURON_LIMIT: '1' } })
  })
  afterAll(async () => {
    await capped?.stop()
  })

  it('lets the answer that crosses the cap finish, then answers 429 until midnight UTC, storing nothing', async () => {
    const user = await signUp(capped.url)
    const chat = await user.createChat()
    // llama-3.3 costs about 10 Neurons for a short answer: over a cap of 1.
    const first = await user.chat(chat.id, [{ role: 'user', content: 'Hello' }])
    expect(first.status).toBe(200)
    expect((await readUiStream(first)).done).toBe(true)

    const res = await user.chat(chat.id, [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'More' }])
    await expectApiError(res, 429, ERRORS.dailyNeuronLimit)
    const retryAfter = Number(res.headers.get('retry-after'))
    expect(Math.abs(retryAfter - secondsUntilMidnightUtc())).toBeLessThanOrEqual(5)
    const stored = await json<ChatWithMessages>(user.fetch(`/api/chats/${chat.id}`))
    expect(stored.messages.map(message => message.content)).toEqual(['Hello', expect.any(String)])

    // The playground is capped too, and the usage page says where the cap is.
    await expectApiError(await user.chat(0, [{ role: 'user', content: 'x' }], { playground: true }), 429, ERRORS.dailyNeuronLimit)
    expect((await json<UsageReport>(user.fetch('/api/usage'))).dailyNeuronLimit).toBe(1)
  })

  it('holds per user: another user still gets answers', async () => {
    const other = await signUp(capped.url)
    const res = await other.chat((await other.createChat()).id, [{ role: 'user', content: 'Hello' }])
    expect(res.status).toBe(200)
    await readUiStream(res)
  })
})
