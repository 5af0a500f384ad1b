// What Workers AI receives: the catalogue's generation parameters, the system instruction, and
// a conversation trimmed (oldest first, never the last user message) to fit the model's budget.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_MODEL_NAME, LIMITS, findModel, type ChatMessage } from '../../shared/contract/index.ts'
import { SYSTEM_PROMPT } from '../../server/utils/system-prompt.ts'
import { emulatorControl, type RequestRecord } from '../../emulator/client.ts'
import type { ChatMessage as EmulatorMessage } from '../../emulator/types.ts'
import { emulatedModel } from '../../emulator/models.ts'
import { marker, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
const model = findModel(DEFAULT_MODEL_NAME)!
const params = model.configuration.parameters

interface RunBody {
  messages: EmulatorMessage[]
  max_tokens?: number
  temperature?: number
  repetition_penalty?: number
  stream?: boolean
  [key: string]: unknown
}

let user: TestUser

beforeAll(async () => {
  user = await signUp(appUrl)
})

/** Sends `messages` (the marker goes into the last one) and returns what the emulator received. */
async function received(messages: ChatMessage[], options: { playground?: boolean } = {}) {
  const id = marker()
  const last = messages.at(-1)!
  const sent = [...messages.slice(0, -1), { ...last, content: `${last.content} ${id}` }]
  const chat = options.playground ? { id: 1 } : await user.createChat()
  const res = await user.chat(chat.id, sent, { playground: options.playground })
  const status = res.status
  const stream = status === 200 ? await readUiStream(res) : undefined
  const record: RequestRecord = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id))
  return { status, stream, record, body: record.body as RunBody, sent }
}

describe('generation parameters', () => {
  it('sends max_tokens from the catalogue\'s max_new_tokens, not Cloudflare\'s default of 256', async () => {
    const { body, status } = await received([{ role: 'user', content: 'Hi' }])
    expect(status).toBe(200)
    expect(body.max_tokens).toBe(params.max_new_tokens)
    expect(body.max_tokens).not.toBe(emulatedModel(model.configuration.model).defaultMaxTokens)
    expect(body.stream).toBe(true)
  })

  it('sends the catalogue\'s temperature, and leaves -1 parameters to the provider', async () => {
    const { body, record } = await received([{ role: 'user', content: 'Hi' }], { playground: true })
    expect(body.temperature).toBe(params.temperature)
    expect(params.repetition_penalty).toBe(-1)
    expect(body).not.toHaveProperty('repetition_penalty')
    expect(body).not.toHaveProperty('typical_p')
    expect(record.model).toBe(model.configuration.model)
    expect(record.path).toContain(model.configuration.model)
  })

  it('sends the markdown system prompt, which asks for answers in the user\'s language, first as a real system message, and nothing else as system', async () => {
    const { body } = await received([
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'Reply' },
      { role: 'user', content: 'Second' },
    ])
    expect(body.messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT })
    expect(SYSTEM_PROMPT).toMatch(/markdown/i)
    expect(SYSTEM_PROMPT).toMatch(/language of the user's latest message, unless the user asks for another/i)
    expect(body.messages.filter(m => m.role === 'system')).toHaveLength(1)
    expect(body.messages.slice(1).map(m => m.role)).toEqual(['user', 'assistant', 'user'])
  })

  it('sends the conversation as the client sent it (content intact, extra fields dropped)', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Line one\n\n```js\nconsole.log("x")\n```' },
      { role: 'assistant', content: 'Ünïcödé ✓ 🚀', isStreaming: false },
      { role: 'user', content: 'Tabs\tand "quotes"' },
    ]
    const { body, sent } = await received(messages)
    expect(body.messages.slice(1)).toEqual(sent.map(m => ({ role: m.role, content: m.content })))
  })
})

describe('context trimming', () => {
  /** A conversation of `count` messages of `chars` characters, alternating and ending with the user. */
  function conversation(count: number, chars: number): ChatMessage[] {
    return Array.from({ length: count }, (_, i) => {
      const head = `#${i} `
      return { role: (count - 1 - i) % 2 ? 'assistant' : 'user', content: head + 'y'.repeat(chars - head.length - 40) } as ChatMessage
    })
  }

  it('drops the oldest messages when the conversation would overflow the model\'s truncate budget', async () => {
    // 30 messages of ~6,000 characters: about 60,000 tokens, three times the budget.
    const messages = conversation(30, 6000)
    expect(messages.reduce((n, m) => n + m.content.length, 0) / 4).toBeGreaterThan(params.truncate)
    const { status, body, sent, stream } = await received(messages)
    expect(status).toBe(200)
    expect(stream!.done).toBe(true)
    const got = body.messages.slice(1)
    expect(got.length).toBeGreaterThan(1)
    expect(got.length).toBeLessThan(sent.length)
    // A suffix of what was sent: the oldest were dropped, the last user message kept intact.
    expect(got).toEqual(sent.slice(-got.length).map(m => ({ role: m.role, content: m.content })))
    expect(got.at(-1)).toEqual({ role: 'user', content: sent.at(-1)!.content })
    // What is left fits the budget by any reasonable estimate (≥ 3 characters a token).
    expect(got.reduce((n, m) => n + m.content.length, 0) / 3).toBeLessThanOrEqual(params.truncate)
  })

  it(`keeps only what fits when 30 messages of ${LIMITS.maxMessageChars} characters are sent, without a 413`, async () => {
    const messages = conversation(30, LIMITS.maxMessageChars)
    expect(JSON.stringify({ messages }).length).toBeLessThan(LIMITS.maxBodyBytes)
    const { status, body, sent, stream } = await received(messages, { playground: true })
    expect(status).toBe(200)
    expect(stream!.done).toBe(true)
    const got = body.messages.slice(1)
    expect(got.length).toBeGreaterThanOrEqual(1)
    expect(got.length).toBeLessThan(sent.length)
    expect(got.at(-1)).toEqual({ role: 'user', content: sent.at(-1)!.content })
    expect(got).toEqual(sent.slice(-got.length).map(m => ({ role: m.role, content: m.content })))
  })

  it('does not trim a conversation that fits', async () => {
    const messages = conversation(6, 2000)
    const { body, sent } = await received(messages, { playground: true })
    expect(body.messages.slice(1)).toEqual(sent.map(m => ({ role: m.role, content: m.content })))
  })

  it('stores the full last user message of a trimmed conversation in a saved chat', async () => {
    const messages = conversation(30, 6000)
    const { sent } = await received(messages)
    const chats = await (await user.fetch('/api/chats')).json() as { id: number }[]
    const stored = await (await user.fetch(`/api/chats/${chats[0]!.id}`)).json() as { messages: { role: string, content: string }[] }
    expect(stored.messages[0]).toMatchObject({ role: 'user', content: sent.at(-1)!.content })
  })
})
