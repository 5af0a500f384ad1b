// The Workers binding path (a Worker's `AI` binding, through workers-ai-provider) against a fake
// binding that answers with the frames the emulator sends for each model family: the inputs
// that reach the binding are exactly the catalogue's, the chat's session affinity goes as a
// header, and thinking (in a field, or in `<think>` text) arrives as reasoning parts.
import { describe, expect, it } from 'vitest'
import { findLiveModel, type LiveModel } from '#shared/contract'
import { startWorkersAiAnswer, workersAiInputs, type AiBinding, type AnswerPart } from '#server/workers-ai'
import { emulatedModel } from '../../emulator/models.ts'
import { replyOf } from '../../emulator/reply.ts'
import { DONE_FRAME, frameWriter, usageOf } from '../../emulator/wire.ts'

interface Call {
  model: string
  inputs: Record<string, unknown>
  options?: Record<string, unknown>
}

/** A binding whose answers are the emulator's frames for `model`'s family. */
function fakeBinding(model: LiveModel, behaviour: { reasoning?: string, reply: string }) {
  const calls: Call[] = []
  const binding: AiBinding = {
    async run(id, inputs, options) {
      calls.push({ model: id, inputs, options })
      const emulated = emulatedModel(id)
      const { tokens, cut } = replyOf(emulated, { messages: [], stream: true, maxTokens: 10_000, images: [] }, behaviour)
      const writer = frameWriter(emulated)
      const body = writer.head(12) + tokens.map(token => writer.tokens([token])).join('') + writer.tail(usageOf(12, tokens.length), cut) + DONE_FRAME
      return new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body))
          controller.close()
        },
      })
    },
  }
  return { binding, calls, model }
}

async function answerThrough(fake: ReturnType<typeof fakeBinding>): Promise<AnswerPart[]> {
  const { model, binding } = fake
  const start = startWorkersAiAnswer(
    { binding, accountId: '', apiToken: '', baseUrl: '', emulator: false },
    { model: model.configuration.model, inputs: workersAiInputs(model), system: 'Be brief.', messages: [{ role: 'user', content: 'Why?' }], reasoning: model.capabilities.reasoning, sessionAffinity: 'neptun-chat-7' },
  )
  const parts: AnswerPart[] = []
  const iterator = await start(new AbortController().signal)
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) parts.push(next.value)
  return parts
}

function joined(parts: AnswerPart[], type: 'reasoning-delta' | 'text-delta'): string {
  return parts.filter(part => part.type === type).map(part => (part as { delta: string }).delta).join('')
}

describe('the AI binding', () => {
  it('sends exactly the catalogue\'s inputs and the session affinity header', async () => {
    const model = findLiveModel('gemma-4-26b-a4b-it')!
    const fake = fakeBinding(model, { reasoning: 'Hm.', reply: 'Yes.' })
    await answerThrough(fake)
    const [call] = fake.calls
    expect(call!.model).toBe('@cf/google/gemma-4-26b-a4b-it')
    const { messages, stream, ...inputs } = call!.inputs
    expect(stream).toBe(true)
    expect(inputs).toEqual(workersAiInputs(model))
    expect(inputs).toHaveProperty('max_completion_tokens')
    expect(inputs).not.toHaveProperty('max_tokens')
    expect(messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Why?' }])
    expect(call!.options).toMatchObject({ extraHeaders: { 'x-session-affinity': 'neptun-chat-7' } })
  })

  it.each(['qwen3-30b-a3b-fp8', 'gemma-4-26b-a4b-it', 'qwq-32b', 'deepseek-r1-distill-qwen-32b'])('hands %s\'s thinking over as reasoning parts, then the text', async (name) => {
    const model = findLiveModel(name)!
    const parts = await answerThrough(fakeBinding(model, { reasoning: 'Light scatters.', reply: 'Blue.' }))
    expect(joined(parts, 'reasoning-delta').trim()).toBe('Light scatters.')
    expect(joined(parts, 'text-delta')).toBe('Blue.')
    const lastThought = parts.findLastIndex(part => part.type === 'reasoning-delta')
    expect(parts.findIndex(part => part.type === 'text-delta')).toBeGreaterThan(lastThought)
    expect(parts.at(-1)).toMatchObject({ type: 'finish', truncated: false, finishReason: 'stop' })
  })

  it('leaves a model without thinking alone', async () => {
    const model = findLiveModel('llama-3.3-70b-instruct-fp8-fast')!
    const parts = await answerThrough(fakeBinding(model, { reply: 'Plain <think>text</think>.' }))
    expect(parts.filter(part => part.type === 'reasoning-delta')).toEqual([])
    expect(joined(parts, 'text-delta')).toBe('Plain <think>text</think>.')
  })
})
