// The OpenAI-compatible API at /api/v1, through the official `openai` client: models, chat
// completions streamed and not, usage, reasoning_content, errors in OpenAI's shape, abort, and
// X-Neptun-Chat-Id appending an exchange to a saved chat.
import OpenAI from 'openai'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { CHAT_ID_HEADER, DEFAULT_MODEL_NAME, ERRORS, LIVE_MODELS, OPENAI_BASE_PATH, type ChatSummary, type ChatWithMessages, type CreatedApiKey } from '../../shared/contract/index.ts'
import { RETIRED_MODELS } from '../../shared/contract/retired-models.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { directive, marker, signUp, words, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
const THINKER = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'think-tags')!

let user: TestUser
let client: OpenAI

beforeAll(async () => {
  user = await signUp(appUrl)
  const res = await user.fetch('/api/keys', { method: 'POST', body: { name: 'openai sdk' } })
  const { key } = await res.json() as CreatedApiKey
  client = new OpenAI({ apiKey: key, baseURL: `${appUrl}${OPENAI_BASE_PATH}`, maxRetries: 0 })
})

/** The Workers AI request whose last message carries `tag`. */
function upstreamOf(tag: string) {
  return emulator.waitForRequest(record => JSON.stringify(record.body).includes(tag))
}

async function chatsOf(owner: TestUser): Promise<ChatSummary[]> {
  return (await owner.fetch('/api/chats')).json() as Promise<ChatSummary[]>
}

/** What the client raised, so tests can look at its status, type and code. */
async function failure(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(() => undefined, (raised: unknown) => raised)
  expect(error).toBeInstanceOf(OpenAI.APIError)
  return error as InstanceType<typeof OpenAI.APIError>
}

describe('GET /api/v1/models', () => {
  it('lists the live catalogue in OpenAI\'s list format', async () => {
    const models = []
    for await (const model of client.models.list()) models.push(model)
    expect(models.map(model => model.id)).toEqual(LIVE_MODELS.map(model => model.name))
    expect(models.every(model => model.object === 'model' && typeof model.owned_by === 'string')).toBe(true)
  })

  it('needs an API key: a session cookie is not enough', async () => {
    const res = await user.fetch(`${OPENAI_BASE_PATH}/models`)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { message: ERRORS.apiKeyRequired, type: 'authentication_error', param: null, code: 'missing_api_key' } })
  })
})

describe('POST /api/v1/chat/completions', () => {
  it('answers one chat.completion, with usage, and passes the system message and settings on', async () => {
    const tag = marker('plain')
    const completion = await client.chat.completions.create({
      model: DEFAULT_MODEL_NAME,
      messages: [{ role: 'system', content: `Be brief. ${tag}` }, { role: 'user', content: `Hi ${directive({ reply: 'Hello from Neptun.' })}` }],
      max_tokens: 99,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
    })
    expect(completion).toMatchObject({ object: 'chat.completion', model: DEFAULT_MODEL_NAME, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello from Neptun.' } }] })
    expect(completion.id).toMatch(/^chatcmpl-/)
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0)
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens)

    const upstream = await upstreamOf(tag)
    const body = upstream.body as { messages: { role: string, content: string }[], max_tokens: number, temperature: number, top_p: number }
    expect(body.messages[0]).toEqual({ role: 'system', content: `Be brief. ${tag}` })
    expect(body).toMatchObject({ max_tokens: 99, temperature: 0.2, top_p: 0.9 })
  })

  it('streams chat.completion.chunks ending in [DONE], with a usage chunk when asked', async () => {
    const reply = words(12)
    const stream = await client.chat.completions.create({
      model: DEFAULT_MODEL_NAME,
      messages: [{ role: 'user', content: `Count ${directive({ reply })}` }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.every(chunk => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id)).toBe(true)
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant')
    expect(chunks.map(chunk => chunk.choices[0]?.delta.content ?? '').join('')).toBe(reply)
    expect(chunks.filter(chunk => chunk.choices[0]?.delta.content).length).toBeGreaterThan(3)
    const finish = chunks.findLast(chunk => chunk.choices.length)!
    expect(finish.choices[0]!.finish_reason).toBe('stop')
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage!.completion_tokens).toBeGreaterThan(0)
  })

  it('sends no usage chunk unless asked', async () => {
    const stream = await client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: `Hi ${directive({ reply: 'Short.' })}` }], stream: true })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.some(chunk => chunk.usage)).toBe(false)
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop')
  })

  it('puts a reasoning model\'s thinking into reasoning_content, apart from the content', async () => {
    const content = `Why? ${directive({ reasoning: 'Thinking it over.', reply: 'Because.' })}`
    const stream = await client.chat.completions.create({ model: THINKER.name, messages: [{ role: 'user', content }], stream: true })
    let reasoning = ''
    let text = ''
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string, reasoning_content?: string } | undefined
      reasoning += delta?.reasoning_content ?? ''
      text += delta?.content ?? ''
    }
    expect(reasoning).toContain('Thinking it over.')
    expect(text).toBe('Because.')

    const completion = await client.chat.completions.create({ model: THINKER.name, messages: [{ role: 'user', content }] })
    const message = completion.choices[0]!.message as { content: string, reasoning_content?: string }
    expect(message.content).toBe('Because.')
    expect(message.reasoning_content).toContain('Thinking it over.')
  })

  it('says length when the answer reached max_tokens', async () => {
    const completion = await client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: `Go on ${directive({ tokens: 50 })}` }], max_tokens: 5 })
    expect(completion.choices[0]!.finish_reason).toBe('length')
  })

  it('is stateless: nothing is stored in the user\'s chats', async () => {
    const before = await chatsOf(user)
    await client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: 'Hi' }] })
    expect(await chatsOf(user)).toEqual(before)
  })

  it('appends the exchange to the saved chat named by X-Neptun-Chat-Id', async () => {
    const chat = await user.createChat('From the SDK')
    const { data, response } = await client.chat.completions.create(
      { model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: 'Earlier' }, { role: 'assistant', content: 'Yes?' }, { role: 'user', content: `Now ${directive({ reply: 'Saved.' })}` }] },
      { headers: { [CHAT_ID_HEADER]: String(chat.id) } },
    ).withResponse()
    expect(response.headers.get(CHAT_ID_HEADER)).toBe(String(chat.id))
    expect(data.choices[0]!.message.content).toBe('Saved.')
    const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
    expect(stored.messages.map(message => [message.role, message.status, message.content])).toEqual([
      ['user', 'complete', `Now ${directive({ reply: 'Saved.' })}`],
      ['assistant', 'complete', 'Saved.'],
    ])
  })

  it('answers 404 for another user\'s chat in X-Neptun-Chat-Id and writes nothing', async () => {
    const other = await signUp(appUrl)
    const chat = await other.createChat()
    const error = await failure(client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: 'Hi' }] }, { headers: { [CHAT_ID_HEADER]: String(chat.id) } }))
    expect({ status: error.status, message: error.message }).toMatchObject({ status: 404, message: expect.stringContaining(ERRORS.chatNotFound) })
    expect(((await (await other.fetch(`/api/chats/${chat.id}`)).json()) as ChatWithMessages).messages).toEqual([])
  })

  it.each([
    ['an unknown model', { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }, 404, 'model_not_found', ERRORS.invalidModel],
    ['a retired model', { model: RETIRED_MODELS[0]!.name, messages: [{ role: 'user', content: 'Hi' }] }, 404, 'model_not_found', ERRORS.serviceRetired],
    ['no messages', { model: DEFAULT_MODEL_NAME, messages: [] }, 400, null, ERRORS.messagesEmpty],
    ['a last message that is not the user\'s', { model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, 400, null, ERRORS.lastMessageNotUser],
    ['a temperature out of range', { model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: 'Hi' }], temperature: 5 }, 400, null, /temperature/],
  ])('answers %s in OpenAI\'s error shape', async (_, body, status, code, message) => {
    const error = await failure(client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming))
    expect(error.status).toBe(status)
    expect(error.type).toBe('invalid_request_error')
    expect(error.code).toBe(code)
    expect(error.error).toMatchObject({ message: typeof message === 'string' ? message : expect.stringMatching(message) })
  })

  it('answers 401 in OpenAI\'s shape for an unknown key', async () => {
    const stranger = new OpenAI({ apiKey: `nk_${'x'.repeat(43)}`, baseURL: `${appUrl}${OPENAI_BASE_PATH}`, maxRetries: 0 })
    const error = await failure(stranger.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: 'Hi' }] }))
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(error.code).toBe('invalid_api_key')
  })

  it('answers 429 with Retry-After when Workers AI is busy', async () => {
    const error = await failure(client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: `Busy? ${directive('429')}` }] }))
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect(error.headers?.get('retry-after')).toBeTruthy()
    expect(error.type).toBe('rate_limit_error')
  })

  it('raises a stream that breaks off as an error, and a completion that breaks off as a 502', async () => {
    const content = `Go ${directive({ reply: words(20), dropAfterTokens: 5 })}`
    const stream = await client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content }], stream: true })
    let text = ''
    const read = (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })()
    await expect(read).rejects.toThrow(ERRORS.upstreamBrokenStream)
    expect(words(20).startsWith(text)).toBe(true)

    const error = await failure(client.chat.completions.create({ model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content }] }))
    expect({ status: error.status, type: error.type }).toEqual({ status: 502, type: 'server_error' })
  })

  it('closes the Workers AI request when the client aborts the stream', async () => {
    const tag = marker('abort')
    const controller = new AbortController()
    const stream = await client.chat.completions.create(
      { model: DEFAULT_MODEL_NAME, messages: [{ role: 'user', content: `Long ${tag} ${directive({ tokens: 200, tokenDelayMs: 50 })}` }], stream: true },
      { signal: controller.signal },
    )
    let seen = 0
    // The SDK ends an aborted stream's iteration (or raises APIUserAbortError, by version).
    await (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content && ++seen === 3) controller.abort()
      }
    })().catch((error: unknown) => expect(error).toBeInstanceOf(OpenAI.APIUserAbortError))
    expect(seen).toBeLessThan(10)
    const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(tag) && r.clientClosed, 5000)
    expect(record.tokensSent).toBeLessThan(200)
  })
})
