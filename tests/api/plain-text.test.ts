// The chat endpoint with `Accept: text/plain`: the answer as bare UTF-8 text, chunked as it is
// generated, nothing else in the body; storage, limits and error statuses as without it, errors
// still JSON; any other Accept keeps the UI message stream.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, LIVE_MODELS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { chatPath, directive, expectApiError, readUiStream, signUp, words, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const THINKER = LIVE_MODELS.find(model => model.capabilities.reasoning)!

let user: TestUser
beforeAll(async () => {
  user = await signUp(appUrl)
})

function ask(query: string, content: string, accept?: string, model?: string) {
  return user.fetch(chatPath(query, model), {
    method: 'POST',
    body: { messages: [{ role: 'user', content }] },
    headers: accept === undefined ? {} : { accept },
  })
}

/** The body as it arrives: each network chunk's text. */
async function chunksOf(res: Response): Promise<string[]> {
  const chunks: string[] = []
  const decoder = new TextDecoder()
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(chunk, { stream: true }))
  return chunks
}

async function stored(chatId: number): Promise<ChatWithMessages> {
  return (await user.fetch(`/api/chats/${chatId}`)).json() as Promise<ChatWithMessages>
}

describe('Accept: text/plain', () => {
  it('streams the answer as bare UTF-8 text, in chunks as it is generated, and stores it as usual', async () => {
    const chat = await user.createChat()
    const reply = `${words(30)} — grüße, 你好 🚀`
    const res = await ask(`chat_id=${chat.id}`, `Say it ${directive({ reply, tokenDelayMs: 15 })}`, 'text/plain')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const chunks = await chunksOf(res)
    expect(chunks.join('')).toBe(reply)
    expect(chunks.length).toBeGreaterThan(3)
    const { messages } = await stored(chat.id)
    expect(messages.map(message => [message.role, message.status, message.content])).toEqual([
      ['user', 'complete', `Say it ${directive({ reply, tokenDelayMs: 15 })}`],
      ['assistant', 'complete', reply],
    ])
  })

  it('leaves a reasoning model\'s thinking out of the body, and stores it apart', async () => {
    const chat = await user.createChat()
    const res = await ask(`chat_id=${chat.id}`, `Why? ${directive({ reasoning: 'Let me think quietly.', reply: 'Because.' })}`, 'text/plain', THINKER.name)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('Because.')
    const answer = (await stored(chat.id)).messages[1]!
    expect(answer).toMatchObject({ content: 'Because.', reasoning: expect.stringContaining('Let me think quietly.') })
  })

  it('works in the playground, storing nothing', async () => {
    const chat = await user.createChat()
    const res = await ask(`chat_id=${chat.id}&is_playground=true`, `Hi ${directive({ reply: 'Hello there.' })}`, 'text/plain')
    expect(await res.text()).toBe('Hello there.')
    expect((await stored(chat.id)).messages).toEqual([])
  })

  it.each([
    ['an unknown model', () => user.fetch(chatPath('chat_id=1', 'no-such-model'), { method: 'POST', body: { messages: [{ role: 'user', content: 'Hi' }] }, headers: { accept: 'text/plain' } }), 400, ERRORS.invalidModel],
    ['a missing chat_id', () => ask('', 'Hi', 'text/plain'), 400, ERRORS.chatIdMissing],
    ['an empty conversation', () => user.fetch(chatPath('chat_id=1'), { method: 'POST', body: { messages: [] }, headers: { accept: 'text/plain' } }), 400, ERRORS.messagesEmpty],
    ['no session', () => fetch(`${appUrl}${chatPath('chat_id=1')}`, { method: 'POST', headers: { accept: 'text/plain', 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"Hi"}]}' }), 401, ERRORS.unauthorized],
  ])('keeps errors JSON: %s', async (_, call, status, message) => {
    await expectApiError(await call(), status, message)
  })

  it('keeps Workers AI\'s failures JSON with their statuses, and keeps the question', async () => {
    const chat = await user.createChat()
    const res = await ask(`chat_id=${chat.id}`, `Busy? ${directive('429')}`, 'text/plain')
    await expectApiError(res, 429, ERRORS.upstreamRateLimited)
    expect(res.headers.get('retry-after')).toBeTruthy()
    expect((await stored(chat.id)).messages.map(message => message.role)).toEqual(['user'])
  })

  it('ends the body where an answer broke off, and stores it as an error', async () => {
    const chat = await user.createChat()
    const res = await ask(`chat_id=${chat.id}`, `Go ${directive({ reply: words(20), dropAfterTokens: 5 })}`, 'text/plain')
    expect(res.status).toBe(200)
    const text = (await chunksOf(res)).join('')
    expect(words(20).startsWith(text)).toBe(true)
    expect(text.length).toBeLessThan(words(20).length)
    const answer = (await stored(chat.id)).messages[1]!
    expect(answer).toMatchObject({ status: 'error', content: text })
  })

  it.each([
    ['no Accept header', undefined],
    ['text/event-stream', 'text/event-stream'],
    ['*/*', '*/*'],
    ['text/event-stream preferred over text/plain', 'text/plain;q=0.5, text/event-stream'],
    ['application/json', 'application/json'],
  ])('keeps the UI message stream for %s', async (_, accept) => {
    const chat = await user.createChat()
    const res = await ask(`chat_id=${chat.id}`, `Hi ${directive({ reply: 'Hello there.' })}`, accept)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const stream = await readUiStream(res)
    expect(stream).toMatchObject({ done: true, text: 'Hello there.' })
  })

  it('takes text/plain when the client prefers it among others', async () => {
    const chat = await user.createChat()
    const res = await ask(`chat_id=${chat.id}`, `Hi ${directive({ reply: 'Plain please.' })}`, 'text/plain, text/event-stream;q=0.5, */*;q=0.1')
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('Plain please.')
  })
})
