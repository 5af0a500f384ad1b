import { ERRORS } from '#shared/contract'
import { openAiError } from '../utils/openai-errors.ts'
import { apiError } from '../utils/request.ts'
import type { AnswerEncoding, AnswerEnd, AnswerEvent } from './events.ts'

/** What every chunk and the completion of one answer repeat: OpenAI's id, creation time and model. */
export interface CompletionIdentity {
  id: string
  /** Unix seconds. */
  created: number
  model: string
}

/** OpenAI's token counts, as the usage chunk and the completion carry them. */
export interface OpenAiUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

function frame(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`
}

const DONE = 'data: [DONE]\n\n'

/**
 * OpenAI's `chat.completion.chunk` stream: a first chunk with the role, one chunk per group of
 * tokens (the thinking as `delta.reasoning_content`, as several OpenAI-compatible servers send
 * it, then `delta.content`), a last chunk with `finish_reason`, the usage chunk when
 * `includeUsage`, then `data: [DONE]`. An answer that breaks off ends with an `error` payload
 * and no `[DONE]`, which the OpenAI SDKs raise as an error.
 *
 * @example return answerResponse(event).send(events, openAiChunks(identity, { includeUsage: true }))
 */
export function openAiChunks(identity: CompletionIdentity, options: { includeUsage: boolean }): AnswerEncoding {
  const chunk = (delta: Record<string, string>, finishReason: string | null = null) =>
    frame({ ...identity, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })

  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
    encode(event) {
      switch (event.type) {
        case 'text-delta':
          return chunk({ content: event.delta })
        case 'reasoning-delta':
          return chunk({ reasoning_content: event.delta })
        case 'start':
          return chunk({ role: 'assistant', content: '' })
        case 'store-pending':
          // OpenAI's chunks have no place for it: the last chunk simply waits until it is stored.
          return ''
        case 'end': {
          if (event.error !== undefined) return frame(openAiError(event.error === ERRORS.answerNotSaved ? 500 : 502, event.error))
          const usage = options.includeUsage ? frame({ ...identity, object: 'chat.completion.chunk', choices: [], usage: openAiUsage(event) }) : ''
          return chunk({}, event.finishReason ?? 'stop') + usage + DONE
        }
      }
    },
  }
}

/**
 * One `chat.completion` from an answer's events, for a request without `stream`. An answer that
 * breaks off is thrown as the error it ended with (502, or 500 when it could not be stored),
 * since nothing has been sent yet.
 *
 * @example return await openAiCompletion(identity, events)
 */
export async function openAiCompletion(identity: CompletionIdentity, events: AsyncIterable<AnswerEvent>) {
  let content = ''
  let reasoning = ''
  for await (const event of events) {
    if (event.type === 'text-delta') content += event.delta
    else if (event.type === 'reasoning-delta') reasoning += event.delta
    else if (event.type === 'end') {
      if (event.error !== undefined) throw apiError(event.error === ERRORS.answerNotSaved ? 500 : 502, event.error)
      return {
        ...identity,
        object: 'chat.completion',
        choices: [{
          index: 0,
          message: { role: 'assistant', content, ...(reasoning ? { reasoning_content: reasoning } : {}) },
          logprobs: null,
          finish_reason: event.finishReason ?? 'stop',
        }],
        usage: openAiUsage(event),
      }
    }
  }
  // Only a reader that stops early sees no `end`; this one reads to the end.
  throw new Error('answer ended without an end event')
}

/** The answer's token counts: Workers AI's, or, when it reported none, the estimate it was priced at. */
export function openAiUsage(end: AnswerEnd): OpenAiUsage {
  const prompt = end.usage?.promptTokens ?? end.metadata?.usage?.promptTokens ?? 0
  const completion = end.usage?.completionTokens ?? end.metadata?.usage?.completionTokens ?? 0
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}
