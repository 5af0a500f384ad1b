// The plain-text and OpenAI encodings of an answer's events: what each writes for each event,
// including the ends that went wrong.
import { describe, expect, it } from 'vitest'
import { ERRORS } from '../../shared/contract/index.ts'
import type { AnswerEvent } from '../../server/answer/events.ts'
import { openAiChunks, openAiCompletion } from '../../server/answer/openai-chat.ts'
import { plainText } from '../../server/answer/plain-text.ts'
import { UI_MESSAGE_STREAM_HEADERS } from '../../server/answer/ui-message-stream.ts'
import { UI_MESSAGE_STREAM_HEADERS as SDK_HEADERS } from 'ai'

const THOUGHT: AnswerEvent[] = [
  { type: 'start', metadata: { generationId: 'g', model: 'm' } },
  { type: 'reasoning-delta', delta: 'Hmm. ' },
  { type: 'reasoning-delta', delta: 'Yes.' },
  { type: 'text-delta', delta: 'Hello' },
  { type: 'text-delta', delta: ', world' },
]
const COMPLETE: AnswerEvent = { type: 'end', status: 'complete', finishReason: 'length', usage: { promptTokens: 7, completionTokens: 5 } }
const BROKEN: AnswerEvent = { type: 'end', status: 'error', error: ERRORS.upstreamBrokenStream }
const IDENTITY = { id: 'chatcmpl-1', created: 1_700_000_000, model: 'm' }

/** The JSON payloads of an SSE text, '[DONE]' kept as a string. */
function payloads(text: string): unknown[] {
  return text.split('\n\n').filter(Boolean).map(block => block.slice('data: '.length)).map(data => data === '[DONE]' ? data : JSON.parse(data))
}

async function* from(events: AnswerEvent[]) {
  yield* events
}

describe('uiMessageStream', () => {
  it('sends the headers the AI SDK sends with its UI message stream', () => {
    expect(UI_MESSAGE_STREAM_HEADERS).toEqual(SDK_HEADERS)
  })
})

describe('plainText', () => {
  it('writes the text deltas and nothing else, whatever the ending', () => {
    for (const end of [COMPLETE, BROKEN]) {
      const encoding = plainText()
      expect([...THOUGHT, end].map(encoding.encode).join('')).toBe('Hello, world')
      expect(encoding.headers['content-type']).toBe('text/plain; charset=utf-8')
    }
  })
})

describe('openAiChunks', () => {
  it('writes the role, reasoning_content and content deltas, the finish reason, the usage when asked, then [DONE]', () => {
    const encoding = openAiChunks(IDENTITY, { includeUsage: true })
    const written = payloads([...THOUGHT, COMPLETE].map(encoding.encode).join(''))
    expect(written.at(-1)).toBe('[DONE]')
    const chunks = written.slice(0, -1) as { object: string, id: string, choices: { delta: Record<string, string>, finish_reason: string | null }[], usage?: unknown }[]
    expect(chunks.every(chunk => chunk.object === 'chat.completion.chunk' && chunk.id === IDENTITY.id)).toBe(true)
    expect(chunks.map(chunk => chunk.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '' }, { reasoning_content: 'Hmm. ' }, { reasoning_content: 'Yes.' }, { content: 'Hello' }, { content: ', world' }, {}, undefined,
    ])
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('length')
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 } })
  })

  it('ends a broken answer with an error payload and no [DONE]', () => {
    const encoding = openAiChunks(IDENTITY, { includeUsage: true })
    const written = payloads([...THOUGHT, BROKEN].map(encoding.encode).join(''))
    expect(written.at(-1)).toEqual({ error: { message: ERRORS.upstreamBrokenStream, type: 'server_error', param: null, code: null } })
    expect(written).not.toContain('[DONE]')
  })
})

describe('openAiCompletion', () => {
  it('gathers one chat.completion with the thinking apart', async () => {
    expect(await openAiCompletion(IDENTITY, from([...THOUGHT, COMPLETE]))).toEqual({
      ...IDENTITY,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, world', reasoning_content: 'Hmm. Yes.' }, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
    })
  })

  it('throws a broken answer as a 502 with its error', async () => {
    await expect(openAiCompletion(IDENTITY, from([...THOUGHT, BROKEN]))).rejects.toMatchObject({ statusCode: 502, statusMessage: ERRORS.upstreamBrokenStream })
  })
})
