// Every catalogue model through the chat endpoint, against the emulator playing its wire family:
// what Workers AI is sent (only the inputs the model accepts, its own budget, the chat's
// session affinity), what the client gets (thinking as reasoning parts, then the text), what is
// stored (model, thinking, cost), and each model's own limits. Retired names get the contract's 400.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { answerCost, ERRORS, LIVE_MODELS, MODELS, type ChatMessage, type ChatWithMessages, type LiveModel } from '../../shared/contract/index.ts'
import { SYSTEM_PROMPT } from '../../server/utils/system-prompt.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { emulatedModel } from '../../emulator/models.ts'
import { directive, expectApiError, marker, readUiStream, signUp, type ReadStream, type TestUser, type UiFrame } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))

let user: TestUser
beforeAll(async () => {
  user = await signUp(appUrl)
})

/** One turn with `model` in a new chat; the marker finds the emulator's record of it. */
async function turnWith(model: LiveModel, content = 'What is 2 + 2?', messages: ChatMessage[] = []) {
  const chat = await user.createChat()
  const id = marker()
  const res = await user.chat(chat.id, [...messages, { role: 'user', content: `${content} ${id}` }], { model: model.name })
  expect(res.status, await res.clone().text()).toBe(200)
  const stream = await readUiStream(res)
  const record = await emulator.waitForRequest(r => JSON.stringify(r.body).includes(id) && r.outcome !== 'in-progress')
  const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
  return { chat, stream, record, stored }
}

/** The frame types in order, deltas of a kind counted once per run. */
function shape(frames: UiFrame[]): string[] {
  return frames.map(frame => frame.type).filter((type, i, all) => !(type.endsWith('-delta') && all[i - 1] === type))
}

function reasoningOf(stream: ReadStream): string {
  return stream.frames.filter(frame => frame.type === 'reasoning-delta').map(frame => frame.delta as string).join('')
}

describe.each(LIVE_MODELS.map(model => [model.name, model] as const))('%s', (_name, model) => {
  it('gets only the inputs it accepts, its own budget and the chat\'s session affinity', async () => {
    const { record, chat } = await turnWith(model)
    expect(record.model).toBe(model.configuration.model)
    const body = record.body as Record<string, unknown>
    const sent = Object.keys(body).filter(key => key !== 'messages' && key !== 'stream')
    expect(sent.every(key => (model.acceptedInputs as readonly string[]).includes(key)), sent.join(', ')).toBe(true)
    const budget = model.acceptedInputs.includes('max_completion_tokens') ? 'max_completion_tokens' : 'max_tokens'
    expect(body[budget]).toBe(model.configuration.parameters.max_new_tokens)
    expect(body.stream).toBe(true)
    expect(body).not.toHaveProperty('typical_p')
    expect(record.sessionAffinity).toBe(`neptun-chat-${chat.id}`)
    // The instructions: a system message, or in the user's turn for models advised against one.
    const messages = body.messages as { role: string, content: string }[]
    if (model.capabilities.reasoning?.instructionsInUserTurn) {
      expect(messages.map(message => message.role)).toEqual(['user'])
      expect(messages[0]!.content.startsWith(`${SYSTEM_PROMPT}\n\n`)).toBe(true)
    }
    else {
      expect(messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT })
    }
  })

  if (model.capabilities.reasoning) {
    it('streams its thinking as reasoning parts, then the text, and stores them apart', async () => {
      const { stream, record, stored } = await turnWith(model)
      expect(shape(stream.frames)).toEqual([
        'start', 'start-step', 'reasoning-start', 'reasoning-delta', 'reasoning-end',
        'text-start', 'text-delta', 'text-end', 'finish-step', 'finish',
      ])
      expect(record.reasoningSent.trim().length).toBeGreaterThan(0)
      expect(reasoningOf(stream)).toBe(record.reasoningSent.trim())
      expect(stream.text).toBe(record.textSent)
      expect(stream.text).not.toContain('think>')
      const answer = stored.messages[1]!
      expect(answer).toMatchObject({ role: 'assistant', model: model.name, content: record.textSent, reasoning: record.reasoningSent.trim(), finishReason: 'stop' })
      expect(answer.reasoningMs).toBeGreaterThanOrEqual(0)
    })
  }
  else {
    it('streams text only, and stores no thinking', async () => {
      const { stream, record, stored } = await turnWith(model)
      expect(shape(stream.frames)).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-end', 'finish-step', 'finish'])
      expect(stream.text).toBe(record.textSent)
      expect(stored.messages[1]).toMatchObject({ model: model.name, content: record.textSent, reasoning: null, reasoningMs: null })
    })
  }

  it('stores the answer\'s cost from Workers AI\'s token counts and the model\'s prices, and shows it in the finish frame', async () => {
    const { stream, stored } = await turnWith(model)
    const answer = stored.messages[1]!
    expect(answer.promptTokens).toBeGreaterThan(0)
    expect(answer.completionTokens).toBeGreaterThan(0)
    const cost = answerCost(model.pricing, answer)
    expect(answer.neurons).toBeCloseTo(cost.neurons, 9)
    expect(answer.costUsd).toBeCloseTo(cost.usd, 12)
    const finish = stream.frames.find(frame => frame.type === 'finish')!
    expect(finish.messageMetadata).toMatchObject({ usage: { promptTokens: answer.promptTokens, completionTokens: answer.completionTokens, neurons: answer.neurons, costUsd: answer.costUsd } })
    expect(stream.frames[0]!.messageMetadata).toMatchObject({ model: model.name })
    expect(stored.model).toBe(model.name)
  })

  it('trims a conversation to its own input budget and window, never the last message', async () => {
    const { truncate, max_new_tokens } = model.configuration.parameters
    expect(max_new_tokens).toBeLessThanOrEqual(model.limits.maxOutputTokens)
    expect(truncate + max_new_tokens).toBeLessThanOrEqual(model.limits.contextWindow)
    // More than the budget by any estimate (4 characters a token), within the body limit.
    const size = 30_000
    const count = Math.min(30, Math.ceil((truncate * 4 * 1.2) / size) + 1)
    const history: ChatMessage[] = Array.from({ length: count }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `#${i} ${'z'.repeat(size)}` }))
    const { record } = await turnWith(model, 'Last question', history)
    const received = (record.body as { messages: { role: string, content: string }[] }).messages.filter(message => message.role !== 'system')
    expect(received.length).toBeLessThan(history.length + 1)
    expect(received.at(-1)!.content).toContain('Last question')
    const chars = received.reduce((sum, message) => sum + message.content.length, 0)
    expect(chars / 3).toBeLessThanOrEqual(truncate)
    // The emulator plays the model's real window: the request fitted it.
    expect(record.status).toBe(200)
    expect(emulatedModel(model.configuration.model).contextWindow).toBe(model.limits.contextWindow)
  })
})

describe('an answer cut off at the budget', () => {
  it('ends with finishReason length and is stored so, with the text it has', async () => {
    const small = LIVE_MODELS.find(model => !model.capabilities.reasoning)!
    const budget = small.configuration.parameters.max_new_tokens
    const { stream, stored } = await turnWith(small, `Write a lot ${directive({ tokens: budget + 50, tokensPerFrame: 200 })}`)
    expect(stream.frames.find(frame => frame.type === 'finish')).toMatchObject({ finishReason: 'length', messageMetadata: { finishReason: 'length' } })
    expect(stored.messages[1]).toMatchObject({ status: 'complete', finishReason: 'length', completionTokens: budget })
  })

  it('says so when a reasoning model spent the whole budget thinking, with no text at all', async () => {
    const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'reasoning-field')!
    const budget = thinker.configuration.parameters.max_new_tokens
    const { stream, stored } = await turnWith(thinker, `Think forever ${directive({ reasoningTokens: budget + 10, tokensPerFrame: 500 })}`)
    expect(stream.frames.some(frame => frame.type === 'text-delta')).toBe(false)
    expect(stream.frames.find(frame => frame.type === 'finish')).toMatchObject({ finishReason: 'length' })
    expect(stored.messages[1]).toMatchObject({ content: '', finishReason: 'length' })
    expect(stored.messages[1]!.reasoning!.length).toBeGreaterThan(1000)
  })
})

describe('thinking in <think> text', () => {
  const r1 = LIVE_MODELS.find(model => model.capabilities.reasoning?.startsInside)!

  it('is split off even when each tag arrives in two frames', async () => {
    const { stream, record } = await turnWith(r1, `Why? ${directive({ splitTags: true, reasoning: 'Because < and > are not tags.', reply: 'Done.' })}`)
    expect(reasoningOf(stream)).toBe('Because < and > are not tags.')
    expect(stream.text).toBe('Done.')
    expect(record.reasoningSent).toBe('Because < and > are not tags.')
  })

  it('is not sent back to the model in the next turn', async () => {
    const first = await turnWith(r1)
    const thought = first.stored.messages[1]!.reasoning!
    const history: ChatMessage[] = first.stored.messages.map(message => ({ role: message.role, content: message.content }))
    const { record } = await turnWith(r1, 'And now?', history)
    expect(JSON.stringify(record.body)).not.toContain(thought)
  })
})

describe('retired models', () => {
  const retired = MODELS.filter(model => model.retired)

  it('lists every model Cloudflare retired on 2026-05-30', () => {
    const onThatDay = retired.filter(model => model.retiredOn === '2026-05-30').map(model => model.name)
    for (const name of ['llama-3.1-8b-instruct', 'llama-3-8b-instruct', 'mistral-7b-instruct-v0.1', 'gemma-7b-it', 'gemma-3-12b-it'])
      expect(onThatDay).toContain(name)
    // Cloudflare's changelog names 18.
    expect(onThatDay).toHaveLength(18)
  })

  it.each(retired.map(model => model.name))('%s answers 400 Service not available anymore. without asking Workers AI', async (name) => {
    const chat = await user.createChat()
    const before = (await emulator.requests()).length
    await expectApiError(await user.chat(chat.id, [{ role: 'user', content: 'hi' }], { model: name }), 400, ERRORS.serviceRetired)
    expect((await emulator.requests()).length).toBe(before)
  })

  it('answers 400 for a catalogue model Cloudflare answers 410/5028 for', async () => {
    const chat = await user.createChat()
    const res = await user.chat(chat.id, [{ role: 'user', content: `hi ${directive({ error: { status: 410, code: 5028, message: 'This model was deprecated on 2026-05-30. Please use an alternative model' } })}` }], { model: LIVE_MODELS[1]!.name })
    await expectApiError(res, 400, ERRORS.serviceRetired)
  })

  it('is published with the retired flag, and not as a live model', async () => {
    const published = await (await fetch(`${appUrl}/api/ai/models`)).json() as { name: string, retired?: boolean, limits?: unknown }[]
    expect(published.filter(model => model.retired).map(model => model.name).sort()).toEqual(retired.map(model => model.name).sort())
    expect(published.filter(model => !model.retired).every(model => model.limits)).toBe(true)
  })
})
