// A saved chat's answer asked for in another encoding (Accept: text/plain, or the OpenAI API with
// X-Neptun-Chat-Id and an API key) is the same resumable answer: it goes on when its client
// leaves, GET /api/chats/:id/stream replays it, and it is stored complete.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { CHAT_ID_HEADER, DEFAULT_MODEL_NAME, OPENAI_BASE_PATH, type ChatSummary, type ChatWithMessages, type CreatedApiKey, type StoredMessage } from '../../shared/contract/index.ts'
import { chatPath, directive, readUiStream, signUp, sleep, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')

/** A reply long enough to leave in the middle of: 80 tokens, 2 s. */
const SLOW = directive({ tokens: 80, tokenDelayMs: 25 })

let user: TestUser
let key: string
beforeAll(async () => {
  user = await signUp(appUrl)
  key = (await (await user.fetch('/api/keys', { method: 'POST', body: { name: 'resume' } })).json() as CreatedApiKey).key
})

/** Reads `res`'s body until it holds `bytes` bytes, then leaves. */
async function readSomeAndLeave(res: Response, controller: AbortController, bytes: number): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true })
    if (text.length >= bytes) break
  }
  controller.abort()
  return text
}

async function endedAnswer(chatId: number): Promise<StoredMessage> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const { messages } = await (await user.fetch(`/api/chats/${chatId}`)).json() as ChatWithMessages
    const answer = messages.at(-1)!
    if (answer.role === 'assistant' && answer.status !== 'streaming') return answer
    if (Date.now() > deadline) throw new Error(`answer still ${answer.status}`)
    await sleep(50)
  }
}

async function answering(chatId: number): Promise<boolean> {
  const chats = await (await user.fetch('/api/chats')).json() as ChatSummary[]
  return chats.find(chat => chat.id === chatId)!.answering
}

describe('a resumable answer in another encoding', () => {
  it('Accept: text/plain: the client leaves, the answer goes on, a resume replays all of it and it is stored complete', async () => {
    const chat = await user.createChat()
    const controller = new AbortController()
    const res = await user.fetch(chatPath(`chat_id=${chat.id}`), {
      method: 'POST',
      body: { messages: [{ role: 'user', content: `plain ${SLOW}` }] },
      headers: { accept: 'text/plain' },
      signal: controller.signal,
    })
    expect(res.status).toBe(200)
    const first = await readSomeAndLeave(res, controller, 10)
    expect(await answering(chat.id)).toBe(true)
    const resumed = await readUiStream(await user.fetch(`/api/chats/${chat.id}/stream`))
    expect(resumed.done).toBe(true)
    const answer = await endedAnswer(chat.id)
    expect(answer.status).toBe('complete')
    expect(resumed.text).toBe(answer.content)
    expect(answer.content.startsWith(first)).toBe(true)
  })

  it('the OpenAI API with X-Neptun-Chat-Id, streamed: the client leaves, a resume replays it and it is stored complete', async () => {
    const chat = await user.createChat()
    const controller = new AbortController()
    const res = await fetch(`${appUrl}${OPENAI_BASE_PATH}/chat/completions`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${key}`, 'content-type': 'application/json', [CHAT_ID_HEADER]: String(chat.id) },
      body: JSON.stringify({ model: DEFAULT_MODEL_NAME, stream: true, messages: [{ role: 'user', content: `openai ${SLOW}` }] }),
      signal: controller.signal,
    })
    expect(res.status).toBe(200)
    const first = await readSomeAndLeave(res, controller, 400)
    expect(first).toContain('chat.completion.chunk')
    expect(await answering(chat.id)).toBe(true)
    const resumed = await readUiStream(await user.fetch(`/api/chats/${chat.id}/stream`))
    expect(resumed.done).toBe(true)
    const answer = await endedAnswer(chat.id)
    expect(answer.status).toBe('complete')
    expect(resumed.text).toBe(answer.content)
  })

  it('the OpenAI API with X-Neptun-Chat-Id, not streamed: the completion is the stored answer', async () => {
    const chat = await user.createChat()
    const res = await fetch(`${appUrl}${OPENAI_BASE_PATH}/chat/completions`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${key}`, 'content-type': 'application/json', [CHAT_ID_HEADER]: String(chat.id) },
      body: JSON.stringify({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: `whole ${directive({ tokens: 20 })}` }] }),
    })
    expect(res.status).toBe(200)
    const completion = await res.json() as { choices: { message: { content: string } }[] }
    const answer = await endedAnswer(chat.id)
    expect(answer.status).toBe('complete')
    expect(completion.choices[0]!.message.content).toBe(answer.content)
    expect(answer.content.length).toBeGreaterThan(0)
  })
})
