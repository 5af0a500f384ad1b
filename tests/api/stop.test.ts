// POST /api/generations/:id/stop: the explicit stop the UI sends (client disconnects are not
// always seen, e.g. on Workers). Runs on Node (PGlite, PostgreSQL) and on the Worker build.
import { randomUUID } from 'node:crypto'
import { describe, expect, inject, it } from 'vitest'
import { ERRORS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { readUiStreamLive, signUp, sleep, type ReadStream } from '../support/api-client.ts'

const SLOW = '[[emulator:{"tokens":400,"tokenDelayMs":25}]]'

/** The generation id from the stream's start frame, once it has arrived. */
async function generationIdOf(live: ReadStream): Promise<string | undefined> {
  const deadline = Date.now() + 5000
  for (;;) {
    const start = live.frames.find(f => f.type === 'start') as { messageMetadata?: { generationId?: string } } | undefined
    if (start) return start.messageMetadata?.generationId
    if (Date.now() > deadline) return undefined
    await sleep(20)
  }
}

async function storedAnswer(user: Awaited<ReturnType<typeof signUp>>, chatId: number) {
  const deadline = Date.now() + 5000
  for (;;) {
    const chat = await (await user.fetch(`/api/chats/${chatId}`)).json() as ChatWithMessages
    const answer = chat.messages.find(m => m.role === 'assistant')
    if (answer) return answer
    if (Date.now() > deadline) throw new Error('no answer stored')
    await sleep(50)
  }
}

describe('stopping a generation through the stop route', () => {
  it('ends the stream with an abort part and stores exactly the text the client received, as aborted', async () => {
    const user = await signUp(inject('appUrl'))
    const chat = await user.createChat()
    const res = await user.chat(chat.id, [{ role: 'user', content: `stop me ${randomUUID()} ${SLOW}` }])
    expect(res.status).toBe(200)
    const reading = readUiStreamLive(res)
    const generationId = await generationIdOf(reading.live)
    expect(generationId).toMatch(/^[0-9a-f-]{36}$/)
    await sleep(200)
    const stop = await user.fetch(`/api/generations/${generationId}/stop`, { method: 'POST' })
    expect([202, 204]).toContain(stop.status)
    const stream = await reading.done
    expect(stream.frames.map(f => f.type)).toContain('abort')
    expect(stream.frames.map(f => f.type)).not.toContain('finish')
    const answer = await storedAnswer(user, chat.id)
    expect(answer.status).toBe('aborted')
    expect(answer.content).toBe(stream.text)
    expect(stream.text.split(' ').length).toBeLessThan(400)
  })

  it('answers 404 for an id that is not a generation id, and 401 without a session', async () => {
    const user = await signUp(inject('appUrl'))
    const bad = await user.fetch('/api/generations/not-a-uuid/stop', { method: 'POST' })
    expect(bad.status).toBe(404)
    expect(await bad.json()).toEqual({ statusCode: 404, statusMessage: ERRORS.generationNotFound })
    const anonymous = await fetch(`${inject('appUrl')}/api/generations/${randomUUID()}/stop`, { method: 'POST' })
    expect(anonymous.status).toBe(401)
  })

  it('does not stop another user\'s generation', async () => {
    const owner = await signUp(inject('appUrl'))
    const other = await signUp(inject('appUrl'))
    const chat = await owner.createChat()
    const res = await owner.chat(chat.id, [{ role: 'user', content: `keep going ${randomUUID()} [[emulator:{"tokens":40,"tokenDelayMs":20}]]` }])
    const reading = readUiStreamLive(res)
    const generationId = await generationIdOf(reading.live)
    const stop = await other.fetch(`/api/generations/${generationId}/stop`, { method: 'POST' })
    expect([202, 404]).toContain(stop.status)
    const stream = await reading.done
    expect(stream.done).toBe(true)
    expect((await storedAnswer(owner, chat.id)).status).toBe('complete')
  })
})
