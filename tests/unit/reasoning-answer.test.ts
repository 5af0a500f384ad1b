// A reasoning model's answer through the generation and the UI message stream: the thinking as
// reasoning parts (opened and closed around it, never as text), then the text; stored apart from
// the text with how long it took; an answer cut off at its budget says so.
import { describe, expect, it } from 'vitest'
import type { ChatStreamMetadata } from '#shared/contract'
import type { AnswerEvent } from '#server/answer/events'
import { openGeneration, type EndedAnswer } from '#server/answer/generation'
import { uiMessageStream } from '#server/answer/ui-message-stream'
import type { AnswerPart } from '#server/workers-ai'

/** Plays `parts` (a number is a pause in ms) through a generation; returns its events and what it stored. */
async function play(steps: (AnswerPart | number)[]) {
  const stored: EndedAnswer[] = []
  const generation = await openGeneration({
    start: async () => (async function* () {
      for (const step of steps) {
        if (typeof step === 'number') await new Promise(resolve => setTimeout(resolve, step))
        else yield step
      }
    })(),
    signal: new AbortController().signal,
    firstTokenTimeoutMs: 1000,
    idleTimeoutMs: 1000,
    store: async (answer): Promise<ChatStreamMetadata> => {
      stored.push(answer)
      return { status: answer.status, reasoningMs: answer.reasoningMs, finishReason: answer.finishReason }
    },
  })
  const events: AnswerEvent[] = []
  await generation.run({ type: 'start', metadata: { generationId: 'g' } }, event => events.push(event))
  return { events, stored }
}

/** The frames' types (and ids) the events become, '[DONE]' kept as a string. */
function frameTypes(events: AnswerEvent[]): string[] {
  const encoding = uiMessageStream()
  return events.map(event => encoding.encode(event)).join('').split('\n\n').filter(Boolean)
    .map(block => block.slice('data: '.length))
    .map(data => (data === '[DONE]' ? data : JSON.parse(data).type as string))
}

const thought = (delta: string): AnswerPart => ({ type: 'reasoning-delta', delta })
const said = (delta: string): AnswerPart => ({ type: 'text-delta', delta })

describe('a reasoning model\'s answer', () => {
  it('streams the thinking as one reasoning block, closed before the text opens', async () => {
    const { events } = await play([thought('Two'), thought(' and two.'), said('Four'), said('.'), { type: 'finish', truncated: false, finishReason: 'stop' }])
    expect(frameTypes(events)).toEqual([
      'start', 'start-step',
      'reasoning-start', 'reasoning-delta', 'reasoning-delta', 'reasoning-end',
      'text-start', 'text-delta', 'text-delta', 'text-end',
      'finish-step', 'finish', '[DONE]',
    ])
  })

  it('stores the thinking apart from the text, with the time from the first thought to the first word', async () => {
    const { stored } = await play([thought('Hmm'), 60, said('Yes'), 400, said('.'), { type: 'finish', truncated: false, finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 4 } }])
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ content: 'Yes.', reasoning: 'Hmm', status: 'complete', finishReason: 'stop' })
    expect(stored[0]!.reasoningMs).toBeGreaterThanOrEqual(50)
    // Not until the end: the 400 ms after the first word are not thinking.
    expect(stored[0]!.reasoningMs).toBeLessThan(400)
  })

  it('closes an unfinished reasoning block and says the answer was cut off when the budget ran out while thinking', async () => {
    const { events, stored } = await play([thought('And then'), thought(' and then'), { type: 'finish', truncated: false, finishReason: 'length' }])
    expect(frameTypes(events)).toEqual(['start', 'start-step', 'reasoning-start', 'reasoning-delta', 'reasoning-delta', 'reasoning-end', 'finish-step', 'finish', '[DONE]'])
    const encoding = uiMessageStream()
    const finish = events.map(event => encoding.encode(event)).join('').split('\n\n').find(block => block.includes('"type":"finish"'))!
    expect(JSON.parse(finish.slice('data: '.length))).toMatchObject({ finishReason: 'length', messageMetadata: { finishReason: 'length' } })
    expect(stored[0]).toMatchObject({ content: '', reasoning: 'And then and then', finishReason: 'length' })
  })

  it('stores an answer without thinking with no reasoning at all', async () => {
    const { events, stored } = await play([said('Plain.'), { type: 'finish', truncated: false, finishReason: 'stop' }])
    expect(frameTypes(events)).not.toContain('reasoning-start')
    expect(stored[0]).not.toHaveProperty('reasoning')
    expect(stored[0]).not.toHaveProperty('reasoningMs')
  })

  it('ends a broken-off thinking block before the error, and keeps what was thought', async () => {
    const { events, stored } = await play([thought('Half a'), { type: 'finish', truncated: true }])
    expect(frameTypes(events).slice(-3)).toEqual(['reasoning-end', 'message-metadata', 'error'])
    expect(stored[0]).toMatchObject({ content: '', reasoning: 'Half a', status: 'error' })
    expect(stored[0]!.finishReason).toBeUndefined()
  })
})
