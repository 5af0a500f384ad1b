// A client that goes away mid-stream: the app closes its Workers AI request at once and stores
// the partial answer, exactly as far as it was streamed, with status 'aborted'.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { ChatWithMessages, StoredMessage } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { directive, eventually, marker, readUiStream, signUp, uiStreamParser, words, type TestUser, type UiFrame } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
/** How soon the app must notice a client that left and close its Workers AI request. */
const MAX_CLOSE_LATENCY_MS = 1000

let user: TestUser

beforeAll(async () => {
  user = await signUp(appUrl)
})

/** Reads deltas until `n` have arrived; returns the text so far. Leaves the stream open. */
async function readDeltas(res: Response, n: number) {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const stream = { frames: [] as UiFrame[], text: '', done: false }
  let deltas = 0
  const parser = uiStreamParser(stream, (frame) => {
    if (frame.type === 'text-delta') deltas++
  })
  while (deltas < n) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`stream ended after ${deltas} deltas`)
    parser.feed(decoder.decode(value, { stream: true }))
  }
  return { text: stream.text, reader }
}

async function storedAnswer(chatId: number): Promise<StoredMessage> {
  return eventually(async () => {
    const chat = await (await user.fetch(`/api/chats/${chatId}`)).json() as ChatWithMessages
    return chat.messages.find(m => m.role === 'assistant')
  })
}

describe('client disconnect mid-stream', () => {
  it('closes the upstream request within 1 s and stores the partial answer as aborted', async () => {
    const chat = await user.createChat()
    const id = marker()
    const reply = words(60, 'tok')
    const controller = new AbortController()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Slow please ${id} ${directive({ reply, tokenDelayMs: 30 })}` }], { signal: controller.signal })
    expect(res.status).toBe(200)
    const { text } = await readDeltas(res, 5)
    const abortedAt = Date.now()
    controller.abort()

    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 3000)
    const latency = record.clientClosedAt! - abortedAt
    console.log(`[abort] upstream request closed ${latency} ms after the client aborted (tokens sent: ${record.tokensSent}/60)`)
    expect(latency).toBeLessThan(MAX_CLOSE_LATENCY_MS)
    expect(record.outcome).toBe('client-closed')
    expect(record.tokensSent).toBeLessThan(60)

    const answer = await storedAnswer(chat.id)
    expect(answer.status).toBe('aborted')
    expect(reply.startsWith(answer.content)).toBe(true)
    expect(answer.content.startsWith(text)).toBe(true)
    expect(answer.content.length).toBeGreaterThanOrEqual(text.length)
    // Never more than Workers AI actually sent.
    expect(record.textSent.startsWith(answer.content)).toBe(true)
    // Stored once.
    await new Promise(resolve => setTimeout(resolve, 100))
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.map(m => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'aborted']])
  })

  it('does the same when the client cancels the body reader instead of aborting the request', async () => {
    const chat = await user.createChat()
    const id = marker()
    const reply = words(60, 'tok')
    const res = await user.chat(chat.id, [{ role: 'user', content: `Cancel ${id} ${directive({ reply, tokenDelayMs: 30 })}` }])
    const { text, reader } = await readDeltas(res, 3)
    const cancelledAt = Date.now()
    await reader.cancel()
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 3000)
    console.log(`[abort] upstream request closed ${record.clientClosedAt! - cancelledAt} ms after the client cancelled the reader`)
    expect(record.clientClosedAt! - cancelledAt).toBeLessThan(MAX_CLOSE_LATENCY_MS)
    const answer = await storedAnswer(chat.id)
    expect(answer.status).toBe('aborted')
    expect(answer.content.startsWith(text)).toBe(true)
    expect(reply.startsWith(answer.content)).toBe(true)
  })

  it('closes the upstream request when the client leaves before the first token, storing no answer', async () => {
    const chat = await user.createChat()
    const id = marker()
    const controller = new AbortController()
    const pending = user.chat(chat.id, [{ role: 'user', content: `Never mind ${id} ${directive({ firstTokenDelayMs: 1500, tokens: 5 })}` }], { signal: controller.signal })
      .catch((error: Error) => error)
    await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id))
    const abortedAt = Date.now()
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 3000)
    console.log(`[abort] before the first token: upstream closed ${record.clientClosedAt! - abortedAt} ms after the abort`)
    expect(record.clientClosedAt! - abortedAt).toBeLessThan(MAX_CLOSE_LATENCY_MS)
    expect(record.tokensSent).toBe(0)
    // The user message stays (stored before the call); no empty answer is invented.
    await new Promise(resolve => setTimeout(resolve, 100))
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages[0]).toMatchObject({ role: 'user' })
    expect(stored.messages.map(m => m.role)).toEqual(['user'])
  })

  it('leaves the server healthy: the next turn in the same chat streams and stores normally', async () => {
    const chat = await user.createChat()
    const controller = new AbortController()
    const id = marker()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Slow ${id} ${directive({ tokens: 40, tokenDelayMs: 20 })}` }], { signal: controller.signal })
    const { text } = await readDeltas(res, 2)
    controller.abort()
    const partial = await storedAnswer(chat.id)
    expect(partial.status).toBe('aborted')
    const next = await user.chat(chat.id, [
      { role: 'user', content: `Slow ${id}` },
      { role: 'assistant', content: partial.content },
      { role: 'user', content: 'Go on' },
    ])
    const stream = await readUiStream(next)
    expect(stream.done).toBe(true)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.map(m => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'aborted'], ['user', 'complete'], ['assistant', 'complete']])
    expect(partial.content.startsWith(text)).toBe(true)
  })
})
