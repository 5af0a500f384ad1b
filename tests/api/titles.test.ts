// Titles: after a saved chat's first complete answer the small fast model names it in the
// background; a title the user gave is never replaced, not even by a generation already under
// way; a failed title call leaves the first message as the title; the playground names nothing.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { chatTitleFrom, cleanTitle, findLiveModel, SMALL_FAST_MODEL_NAME, TITLE_INSTRUCTIONS, type ChatSummary } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { emulatedTitle } from '../../emulator/tokens.ts'
import type { RequestRecord } from '../../emulator/types.ts'
import { directive, eventually, marker, readUiStream, signUp, sleep, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))

let user: TestUser

beforeAll(async () => {
  user = await signUp(appUrl)
})

async function summaryOf(chatId: number): Promise<ChatSummary> {
  const res = await user.fetch('/api/chats')
  expect(res.status).toBe(200)
  return (await res.json() as ChatSummary[]).find(chat => chat.id === chatId)!
}

async function turn(chatId: number, content: string, options: { playground?: boolean } = {}) {
  const res = await user.chat(chatId, [{ role: 'user', content }], options)
  expect(res.status).toBe(200)
  const stream = await readUiStream(res)
  expect(stream.done).toBe(true)
  return stream
}

const isTitleRequest = (record: RequestRecord, id: string) => {
  const messages = (record.body as { messages?: { role: string, content: string }[] }).messages ?? []
  return messages[0]?.content === TITLE_INSTRUCTIONS && JSON.stringify(messages).includes(id)
}
const titleRequests = async (id: string) => (await emulator.requests()).filter(record => isTitleRequest(record, id))

describe('a generated title', () => {
  it('replaces the first message as title after the first answer, from the small fast model, once', async () => {
    const chat = await user.createChat()
    const id = marker()
    const question = `Please explain how the tides of the North Sea work ${id}`
    const stream = await turn(chat.id, question)
    const expected = cleanTitle(emulatedTitle(question))!
    expect(expected).toBe('Please explain how the tides')
    const named = await eventually(async () => {
      const summary = await summaryOf(chat.id)
      return summary.titleSource === 'generated' ? summary : undefined
    })
    expect(named.title).toBe(expected)
    const [request, ...more] = await titleRequests(id)
    expect(more).toHaveLength(0)
    expect(request!.model).toBe(findLiveModel(SMALL_FAST_MODEL_NAME)!.configuration.model)
    expect((request!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'system', content: TITLE_INSTRUCTIONS },
      { role: 'user', content: question },
    ])

    // Later answers leave the title alone and ask for none.
    const res = await user.chat(chat.id, [{ role: 'user', content: question }, { role: 'assistant', content: stream.text }, { role: 'user', content: `And the Baltic? ${id}` }])
    expect((await readUiStream(res)).done).toBe(true)
    await sleep(300)
    expect(await titleRequests(id)).toHaveLength(1)
    expect((await summaryOf(chat.id)).title).toBe(expected)
  })

  it('does not delay the answer: the stream ends while the title is still being generated', async () => {
    const chat = await user.createChat()
    const id = marker()
    const started = Date.now()
    await turn(chat.id, `Why is the sky blue over the sea ${id} ${directive({ title: { firstTokenDelayMs: 1500 } })}`)
    expect(Date.now() - started).toBeLessThan(1500)
    expect((await summaryOf(chat.id)).titleSource).toBe('fallback')
    await eventually(async () => (await summaryOf(chat.id)).titleSource === 'generated' || undefined, 5000)
  })
})

describe('a title the user gave', () => {
  it('is never replaced: a chat renamed before its first message asks for no title', async () => {
    const chat = await user.createChat()
    const id = marker()
    await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'Mine' } })
    await turn(chat.id, `Tell me about the northern lights please ${id}`)
    await sleep(500)
    expect(await titleRequests(id)).toHaveLength(0)
    expect(await summaryOf(chat.id)).toMatchObject({ title: 'Mine', titleSource: 'user' })

    const created = await user.createChat('Given at creation')
    await turn(created.id, `Tell me about the southern lights please ${id}`)
    await sleep(500)
    expect(await summaryOf(created.id)).toMatchObject({ title: 'Given at creation', titleSource: 'user' })
  })

  it('wins over a generation under way when the rename comes first', async () => {
    const chat = await user.createChat()
    const id = marker()
    await turn(chat.id, `How far away is the planet Neptune ${id} ${directive({ title: { firstTokenDelayMs: 1000 } })}`)
    await emulator.waitForRequest(record => isTitleRequest(record, id))
    const rename = await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'Renamed mid-way' } })
    expect(rename.status).toBe(200)
    await emulator.waitForRequest(record => isTitleRequest(record, id) && record.outcome === 'completed', 5000)
    await sleep(500)
    expect(await summaryOf(chat.id)).toMatchObject({ title: 'Renamed mid-way', titleSource: 'user' })
  })

  it('replaces a generated title, and stays', async () => {
    const chat = await user.createChat()
    const id = marker()
    await turn(chat.id, `What do whales eat in the winter ${id}`)
    await eventually(async () => (await summaryOf(chat.id)).titleSource === 'generated' || undefined)
    await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { title: 'Whales' } })
    expect(await summaryOf(chat.id)).toMatchObject({ title: 'Whales', titleSource: 'user' })
  })
})

describe('a failed title', () => {
  it.each([
    ['Workers AI fails', { error: { status: 500, code: 3043 } }],
    ['the model answers nothing usable', { reply: '<think>a title, hm</think> "…"' }],
  ])('leaves the first message as title when %s', async (_, behaviour) => {
    const chat = await user.createChat()
    const id = marker()
    const question = `Which fish live in deep water ${id} ${directive({ title: behaviour })}`
    await turn(chat.id, question)
    await emulator.waitForRequest(record => isTitleRequest(record, id) && record.outcome !== 'in-progress', 5000)
    await sleep(500)
    expect(await summaryOf(chat.id)).toMatchObject({ title: chatTitleFrom(question), titleSource: 'fallback' })
  })

  it('is not asked for after a failed answer', async () => {
    const chat = await user.createChat()
    const id = marker()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Broken ${id} ${directive('drop')}` }])
    await readUiStream(res)
    await sleep(500)
    expect(await titleRequests(id)).toHaveLength(0)
    expect((await summaryOf(chat.id)).titleSource).toBe('fallback')
  })
})

describe('the playground', () => {
  it('asks for no title', async () => {
    const id = marker()
    await turn(1, `Name this conversation if you can ${id}`, { playground: true })
    await sleep(500)
    expect(await titleRequests(id)).toHaveLength(0)
  })
})
