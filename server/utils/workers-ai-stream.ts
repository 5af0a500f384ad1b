import type { LanguageModelV4Prompt, LanguageModelV4StreamPart } from '@ai-sdk/provider'
import { createParser } from 'eventsource-parser'
import type { ChatMessage } from '#shared/contract'
import type { WorkersAiSettings } from './workers-ai'
import { readText, upstreamPost, type UpstreamResponse } from './upstream-post'

/** What the relay needs from an upstream answer: tokens, then how it ended. */
export type RelayPart =
  | { type: 'text-delta', delta: string }
  | { type: 'finish', truncated: boolean, usage?: { inputTokens?: number, outputTokens?: number } }

/** A non-streaming answer from Workers AI, with what upstreamHttpError needs to map it. */
export class WorkersAiHttpError extends Error {
  override name = 'WorkersAiHttpError'
  constructor(readonly statusCode: number, readonly responseBody: string, readonly responseHeaders: Record<string, string>) {
    super(`Workers AI answered ${statusCode}`)
  }
}

/** Starts the upstream request; failures before the stream (HTTP errors) reject. */
export type UpstreamCall = (signal: AbortSignal) => Promise<AsyncIterator<RelayPart>>

export interface ChatInputs {
  system: string
  messages: ChatMessage[]
  maxTokens: number
  temperature?: number
  /** Request fields the provider does not forward (repetition_penalty). */
  extraInputs?: Record<string, unknown>
}

/**
 * Workers AI over REST, read straight off the socket: one `for await` over the response body
 * (node:http on Node, see upstreamPost) and eventsource-parser's callbacks, with no
 * TransformStream between Cloudflare's frames and ours. This is the hot path of every answer; the provider's stream (three TransformStreams
 * and a re-validation stage) cost more CPU per token than everything else in the relay.
 * A frame that is not JSON, or a stream that ends without `[DONE]`, ends the answer as broken
 * (workers-ai-provider would skip the frame, or re-POST a JSON answer a second time).
 */
export function workersAiRestStream(settings: WorkersAiSettings, modelId: string, inputs: ChatInputs): UpstreamCall {
  const url = settings.gatewayId
    ? `https://gateway.ai.cloudflare.com/v1/${settings.accountId}/${settings.gatewayId}/workers-ai/run/${modelId}`
    : `${settings.baseUrl}/accounts/${settings.accountId}/ai/run/${modelId}`
  const requestBody = JSON.stringify({
    messages: [{ role: 'system', content: inputs.system }, ...inputs.messages.map(({ role, content }) => ({ role, content }))],
    stream: true,
    max_tokens: inputs.maxTokens,
    ...(inputs.temperature === undefined ? {} : { temperature: inputs.temperature }),
    ...inputs.extraInputs,
  })
  const headers = { 'authorization': `Bearer ${settings.apiToken}`, 'content-type': 'application/json' }
  return async (signal) => {
    const response = await upstreamPost(url, headers, requestBody, signal)
    const ok = response.status >= 200 && response.status < 300
    // Cloudflare sometimes answers 200 with {success:false}: that is a failure too.
    if (!ok || !(response.headers['content-type'] ?? '').includes('text/event-stream')) {
      const responseBody = await readText(response).catch(() => '')
      throw new WorkersAiHttpError(ok ? 502 : response.status, responseBody, response.headers)
    }
    return readFrames(response)
  }
}

async function* readFrames(response: UpstreamResponse): AsyncGenerator<RelayPart> {
  const parts: RelayPart[] = []
  let done = false
  let malformed = false
  let usage: { inputTokens?: number, outputTokens?: number } | undefined
  const parser = createParser({
    onEvent(event) {
      if (done || malformed) return
      if (event.data === '[DONE]') {
        done = true
        return
      }
      let frame: { response?: unknown, usage?: { prompt_tokens?: number, completion_tokens?: number } }
      try {
        frame = JSON.parse(event.data)
      }
      catch {
        // The tokens before it still go out; then the answer ends as broken.
        malformed = true
        return
      }
      if (typeof frame.response === 'string' && frame.response) parts.push({ type: 'text-delta', delta: frame.response })
      if (frame.usage) usage = { inputTokens: frame.usage.prompt_tokens, outputTokens: frame.usage.completion_tokens }
    },
  })
  const decoder = new TextDecoder()
  try {
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk, { stream: true }))
      for (const part of parts) yield part
      parts.length = 0
      if (malformed) throw new Error('Workers AI sent a malformed stream frame')
      if (done) break
    }
    yield { type: 'finish', truncated: !done, usage }
  }
  finally {
    // Stopped early (client gone, error, timeout): close the upstream request now.
    response.cancel(done && !malformed)
  }
}

/**
 * The Workers AI binding (on Cloudflare Workers) through workers-ai-provider, mapped to the
 * relay's parts. The binding hands over its own stream, so there is no socket to read here.
 */
export function providerStream(model: { doStream: (options: never) => PromiseLike<{ stream: ReadableStream<LanguageModelV4StreamPart> }> }, inputs: ChatInputs): UpstreamCall {
  const prompt: LanguageModelV4Prompt = [
    { role: 'system', content: inputs.system },
    ...inputs.messages.map(message => ({ role: message.role, content: [{ type: 'text' as const, text: message.content }] })),
  ]
  return async (signal) => {
    const { stream } = await model.doStream({ prompt, maxOutputTokens: inputs.maxTokens, temperature: inputs.temperature, abortSignal: signal } as never)
    return mapProviderParts(stream)
  }
}

async function* mapProviderParts(stream: ReadableStream<LanguageModelV4StreamPart>): AsyncGenerator<RelayPart> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      if (value.type === 'text-delta') yield { type: 'text-delta', delta: value.delta }
      else if (value.type === 'error') throw value.error
      else if (value.type === 'finish') {
        // workers-ai-provider reports a stream that ended without [DONE] this way.
        yield { type: 'finish', truncated: value.finishReason.unified === 'error', usage: { inputTokens: value.usage.inputTokens.total, outputTokens: value.usage.outputTokens.total } }
        return
      }
    }
  }
  finally {
    reader.cancel().catch(() => {})
  }
}
