// A client that goes away mid-stream. In a saved chat nothing stops: Workers AI is read to the
// end and the whole answer is stored as complete (it can be resumed, see resume.test.ts). In the
// playground there is nothing to come back to: the app closes its Workers AI request at once.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { ChatWithMessages, StoredMessage } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { directive, eventually, marker, readUiStream, signUp, uiStreamParser, words, type TestUser, type UiFrame } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
/** How soon the app must notice a playground client that left and close its Workers AI request. */
const MAX_CLOSE_LATENCY_MS = 200

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

/** The chat's answer once it has ended. */
async function endedAnswer(chatId: number): Promise<StoredMessage> {
  return eventually(async () => {
    const chat = await (await user.fetch(`/api/chats/${chatId}`)).json() as ChatWithMessages
    const answer = chat.messages.find(m => m.role === 'assistant')
    return answer && answer.status !== 'streaming' ? answer : undefined
  }, 10_000)
}

describe('a saved chat\'s client that leaves', () => {
  it('mid-stream: the answer is generated to its end and stored complete, exactly as Workers AI sent it', async () => {
    const chat = await user.createChat()
    const id = marker()
    const reply = words(60, 'tok')
    const controller = new AbortController()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Slow please ${id} ${directive({ reply, tokenDelayMs: 20 })}` }], { signal: controller.signal })
    expect(res.status).toBe(200)
    const { text } = await readDeltas(res, 5)
    controller.abort()

    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress', 5000)
    expect(record.outcome).toBe('completed')
    expect(record.tokensSent).toBe(60)
    const answer = await endedAnswer(chat.id)
    expect(answer.status).toBe('complete')
    expect(answer.content).toBe(reply)
    expect(answer.content.startsWith(text)).toBe(true)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.map(m => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']])
  })

  it('by cancelling the body reader: the same', async () => {
    const chat = await user.createChat()
    const id = marker()
    const reply = words(40, 'tok')
    const res = await user.chat(chat.id, [{ role: 'user', content: `Cancel ${id} ${directive({ reply, tokenDelayMs: 20 })}` }])
    const { reader } = await readDeltas(res, 3)
    await reader.cancel()
    const answer = await endedAnswer(chat.id)
    expect(answer).toMatchObject({ status: 'complete', content: reply })
  })

  it('before the first token: the answer still comes and is stored', async () => {
    const chat = await user.createChat()
    const id = marker()
    const controller = new AbortController()
    const pending = user.chat(chat.id, [{ role: 'user', content: `Never mind ${id} ${directive({ firstTokenDelayMs: 600, tokens: 5 })}` }], { signal: controller.signal })
      .catch((error: Error) => error)
    await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id))
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress', 5000)
    expect(record.outcome).toBe('completed')
    const answer = await endedAnswer(chat.id)
    expect(answer).toMatchObject({ status: 'complete', content: record.textSent })
  })
})

describe('a playground client that leaves', () => {
  it(`mid-stream: the upstream request is closed within ${MAX_CLOSE_LATENCY_MS} ms`, async () => {
    const id = marker()
    const controller = new AbortController()
    const res = await user.chat(0, [{ role: 'user', content: `Slow ${id} ${directive({ tokens: 200, tokenDelayMs: 20 })}` }], { playground: true, signal: controller.signal })
    expect(res.status).toBe(200)
    await readDeltas(res, 5)
    const abortedAt = Date.now()
    controller.abort()
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 3000)
    const latency = record.clientClosedAt! - abortedAt
    console.log(`[abort] playground: upstream request closed ${latency} ms after the client aborted (tokens sent: ${record.tokensSent}/200)`)
    expect(latency).toBeLessThan(MAX_CLOSE_LATENCY_MS)
    expect(record.outcome).toBe('client-closed')
    expect(record.tokensSent).toBeLessThan(200)
  })

  it(`before the first token: the upstream request is closed within ${MAX_CLOSE_LATENCY_MS} ms`, async () => {
    const id = marker()
    const controller = new AbortController()
    const pending = user.chat(0, [{ role: 'user', content: `Never mind ${id} ${directive({ firstTokenDelayMs: 1500, tokens: 5 })}` }], { playground: true, signal: controller.signal })
      .catch((error: Error) => error)
    await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id))
    const abortedAt = Date.now()
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.clientClosed, 3000)
    expect(record.clientClosedAt! - abortedAt).toBeLessThan(MAX_CLOSE_LATENCY_MS)
    expect(record.tokensSent).toBe(0)
  })
})

describe('after a client left', () => {
  it('the server stays healthy: the next turn in the same chat streams and stores normally', async () => {
    const chat = await user.createChat()
    const controller = new AbortController()
    const id = marker()
    const res = await user.chat(chat.id, [{ role: 'user', content: `Slow ${id} ${directive({ tokens: 40, tokenDelayMs: 10 })}` }], { signal: controller.signal })
    await readDeltas(res, 2)
    controller.abort()
    const first = await endedAnswer(chat.id)
    const next = await user.chat(chat.id, [
      { role: 'user', content: `Slow ${id}` },
      { role: 'assistant', content: first.content },
      { role: 'user', content: 'Go on' },
    ])
    const stream = await readUiStream(next)
    expect(stream.done).toBe(true)
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.map(m => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete'], ['user', 'complete'], ['assistant', 'complete']])
  })
})
