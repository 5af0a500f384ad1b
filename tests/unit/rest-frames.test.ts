// The REST reader against the frame shapes Workers AI sends on /ai/run, as published captures
// show them: Cloudflare's own frames, OpenAI chunks with the thinking in `reasoning_content`
// (running usage), chunks with each chunk's own usage closed by Cloudflare's usage frame and the
// thinking in `reasoning`, and `<think>` text. Whatever the shape: thinking, then text, then one
// finish with the answer's totals.
import { describe, expect, it } from 'vitest'
import type { AnswerPart, ModelRequest } from '#server/workers-ai'
import { readRestFrames } from '../../server/workers-ai/rest-frames.ts'
import type { UpstreamResponse } from '../../server/workers-ai/upstream-post.ts'

/** A response whose body arrives as `reads`, each one network read. */
function responseOf(reads: string[]): UpstreamResponse & { finished?: boolean } {
  const encoder = new TextEncoder()
  const response: UpstreamResponse & { finished?: boolean } = {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    body: (async function* () {
      for (const read of reads) yield encoder.encode(read)
    })(),
    cancel: (finished) => { response.finished = finished === true },
  }
  return response
}

const data = (value: unknown) => `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`

async function partsOf(reads: string[], request: Pick<ModelRequest, 'reasoning'> = {}, budget = 2048): Promise<AnswerPart[]> {
  const parts: AnswerPart[] = []
  for await (const part of readRestFrames(responseOf(reads), request, budget)) parts.push(part)
  return parts
}

const chunk = (delta: Record<string, unknown>, usage?: Record<string, number>, finish: string | null = null) =>
  ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(usage ? { usage } : {}) })

describe('readRestFrames', () => {
  it('reads Cloudflare\'s own frames, numbers in `response` included, and ignores the padding', async () => {
    expect(await partsOf([
      data({ response: 'The answer is ', tool_calls: [], p: 'abdefgh' }) + data({ response: 42, p: 'x' }),
      data({ response: '' }) + data({ response: '', usage: { prompt_tokens: 755, completion_tokens: 10, total_tokens: 765 } }) + data('[DONE]'),
    ])).toEqual([
      { type: 'text-delta', delta: 'The answer is ' },
      { type: 'text-delta', delta: '42' },
      { type: 'finish', truncated: false, finishReason: 'stop', usage: { promptTokens: 755, completionTokens: 10 } },
    ])
  })

  it('reads OpenAI chunks with the thinking in reasoning_content and running usage (Qwen3 30B)', async () => {
    expect(await partsOf([
      data(chunk({ role: 'assistant', content: '' }, { prompt_tokens: 13, total_tokens: 13, completion_tokens: 0 })),
      data(chunk({ reasoning_content: 'Okay' }, { prompt_tokens: 13, total_tokens: 16, completion_tokens: 3 })),
      data(chunk({ content: 'A' }, { prompt_tokens: 13, total_tokens: 17, completion_tokens: 4 })),
      data({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 13, total_tokens: 1035, completion_tokens: 1022 } }) + data('[DONE]'),
    ], { reasoning: { format: 'reasoning-field' } })).toEqual([
      { type: 'reasoning-delta', delta: 'Okay' },
      { type: 'text-delta', delta: 'A' },
      { type: 'finish', truncated: false, finishReason: 'stop', usage: { promptTokens: 13, completionTokens: 1022 } },
    ])
  })

  it('reads chunks with each chunk\'s own usage and `reasoning`, and takes the totals from Cloudflare\'s closing frame (Gemma 4)', async () => {
    const parts = await partsOf([
      data({ ...chunk({ content: '', reasoning_content: null, role: 'assistant' }, { prompt_tokens: 147, completion_tokens: 0, total_tokens: 147 }), p: 'pf8t' }),
      data({ ...chunk({ reasoning: 'Hmm', reasoning_content: null }, { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 }), p: 'nn' }),
      data({ ...chunk({ content: 'Hi', reasoning_content: null }, { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 }), p: 'q' }),
      data(chunk({ reasoning_content: null }, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, 'stop')),
      data({ response: '', usage: { prompt_tokens: 147, completion_tokens: 16, total_tokens: 163, prompt_tokens_details: { cached_tokens: 0 }, neurons: 1.77 } }) + data('[DONE]'),
    ], { reasoning: { format: 'reasoning-field' } })
    expect(parts).toEqual([
      { type: 'reasoning-delta', delta: 'Hmm' },
      { type: 'text-delta', delta: 'Hi' },
      { type: 'finish', truncated: false, finishReason: 'stop', usage: { promptTokens: 147, completionTokens: 16 } },
    ])
  })

  it('adds up chunks\' own usage when no closing frame comes', async () => {
    const parts = await partsOf([
      data(chunk({ content: '' }, { prompt_tokens: 20, completion_tokens: 0 })),
      data(chunk({ content: 'a' }, { prompt_tokens: 0, completion_tokens: 1 })) + data(chunk({ content: 'b' }, { prompt_tokens: 0, completion_tokens: 1 })),
      data('[DONE]'),
    ])
    expect(parts.at(-1)).toEqual({ type: 'finish', truncated: false, finishReason: 'stop', usage: { promptTokens: 20, completionTokens: 2 } })
  })

  it('splits <think> text into thinking and answer, the tags cut across frames and reads (R1 distill)', async () => {
    const parts = await partsOf([
      data({ response: 'Two and' }) + data({ response: ' two.\n</th' }),
      data({ response: 'ink>\n\n' }) + data({ response: 'Four.' }) + data({ response: '', usage: { prompt_tokens: 9, completion_tokens: 7 } }) + data('[DONE]'),
    ], { reasoning: { format: 'think-tags', startsInside: true } })
    expect(parts).toEqual([
      { type: 'reasoning-delta', delta: 'Two and' },
      { type: 'reasoning-delta', delta: ' two.' },
      { type: 'text-delta', delta: 'Four.' },
      { type: 'finish', truncated: false, finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 7 } },
    ])
  })

  it('leaves <think> in the text of a model that does not think aloud', async () => {
    const parts = await partsOf([data({ response: '<think>is a tag</think>' }) + data('[DONE]')])
    expect(parts[0]).toEqual({ type: 'text-delta', delta: '<think>is a tag</think>' })
  })

  it('says an answer was cut off: from the chunk\'s finish_reason, or from a used-up budget in Cloudflare\'s frames', async () => {
    const chunks = await partsOf([data(chunk({ reasoning_content: 'long' }, undefined, 'length')) + data('[DONE]')])
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' })
    const own = await partsOf([data({ response: 'x' }) + data({ response: '', usage: { prompt_tokens: 5, completion_tokens: 100 } }) + data('[DONE]')], {}, 100)
    expect(own.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' })
    const room = await partsOf([data({ response: 'x' }) + data({ response: '', usage: { prompt_tokens: 5, completion_tokens: 99 } }) + data('[DONE]')], {}, 100)
    expect(room.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' })
  })

  it('hands on held-back thinking of a stream that broke off, and marks it truncated', async () => {
    const response = responseOf([data({ response: '<think>unfinished  ' })])
    const parts: AnswerPart[] = []
    for await (const part of readRestFrames(response, { reasoning: { format: 'think-tags' } }, 100)) parts.push(part)
    expect(parts).toEqual([
      { type: 'reasoning-delta', delta: 'unfinished' },
      { type: 'finish', truncated: true, finishReason: 'stop', usage: undefined },
    ])
    expect(response.finished).toBe(false)
  })
})
