import { createParser } from 'eventsource-parser'
import type { FinishReason } from '#shared/contract'
import type { AnswerPart, ModelRequest, Usage } from './parts.ts'
import { thinkTagSplitter, type ThinkTagSplitter } from './think-tags.ts'
import type { UpstreamResponse } from './upstream-post.ts'

/** What the frames of one answer said so far. */
interface FramesRead {
  /** The parts of the current network read, handed on together. */
  parts: AnswerPart[]
  usage?: Usage
  /** The usage came in Cloudflare's own closing frame: the answer's totals, which nothing overrides. */
  totals: boolean
  finishReason?: FinishReason
  /** For models that write their thinking into the text between `<think>` tags. */
  splitter?: ThinkTagSplitter
  /** `data: [DONE]` came: the answer is complete. */
  done: boolean
  /** A frame was not JSON: the answer ends as broken after the parts before it. */
  malformed: boolean
}

/**
 * The parts of a REST answer, read off the response body: one `for await` over the socket's
 * chunks and eventsource-parser's callback, with no stream stage in between. Frames that arrive
 * in one network read are handed on together. A frame that is not JSON, or a stream that ends
 * without `[DONE]`, ends the answer as broken.
 *
 * Two frame shapes arrive on `/ai/run`, sometimes in one stream: Cloudflare's own
 * (`{"response": …}`) and OpenAI chat-completion chunks (`{"choices": [{"delta": …}]}`), which
 * newer models send. Thinking comes in a field of its own (`reasoning_content` or `reasoning`)
 * or, for models that write it into their text, between `<think>` tags.
 */
export async function* readRestFrames(response: UpstreamResponse, request: Pick<ModelRequest, 'reasoning'>, budget: number): AsyncGenerator<AnswerPart> {
  const thinksInText = request.reasoning?.format === 'think-tags'
  const read: FramesRead = {
    parts: [],
    totals: false,
    done: false,
    malformed: false,
    splitter: thinksInText ? thinkTagSplitter(request.reasoning?.startsInside === true) : undefined,
  }
  const parser = createParser({
    onEvent(event) {
      if (!read.done && !read.malformed) readFrame(event.data, read)
    },
  })
  const decoder = new TextDecoder()
  try {
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk, { stream: true }))
      if (read.done) read.splitter?.end(read.parts)
      for (const part of read.parts) yield part
      read.parts.length = 0
      if (read.malformed) throw new Error('Workers AI sent a malformed stream frame')
      if (read.done) break
    }
    if (!read.done && read.splitter) {
      // Broken off: what the splitter held back is part of what was streamed.
      read.splitter.end(read.parts)
      yield* read.parts
    }
    yield { type: 'finish', truncated: !read.done, finishReason: finishReason(read, budget), usage: read.usage }
  }
  finally {
    // A complete answer lets the connection go back to the pool; any other end closes it, which
    // stops the generation at Cloudflare.
    response.cancel(read.done && !read.malformed)
  }
}

function readFrame(data: string, read: FramesRead): void {
  if (data === '[DONE]') {
    read.done = true
    return
  }
  let frame: CloudflareFrame & ChunkFrame
  try {
    frame = JSON.parse(data)
  }
  catch {
    read.malformed = true
    return
  }
  if (Array.isArray(frame.choices)) readChunkFrame(frame, read)
  else readCloudflareFrame(frame, read)
}

/** The usage object both shapes carry. */
interface WireUsage {
  prompt_tokens?: number
  completion_tokens?: number
}

/**
 * Cloudflare's own frame: `{"response":"…","tool_calls":[],"p":"…"}` per token group (`p` is
 * padding), then `{"response":"","usage":{…}}` before `[DONE]`. `response` is sometimes a number.
 */
interface CloudflareFrame {
  response?: unknown
  reasoning_content?: unknown
  reasoning?: unknown
  usage?: WireUsage
  finish_reason?: unknown
}

function readCloudflareFrame(frame: CloudflareFrame, read: FramesRead): void {
  reasoning(frame.reasoning_content ?? frame.reasoning, read)
  text(frame.response, read)
  if (frame.usage) {
    read.usage = usageOf(frame.usage)
    read.totals = true
  }
  if (frame.finish_reason) read.finishReason = frame.finish_reason === 'length' ? 'length' : 'stop'
}

/**
 * An OpenAI chat-completion chunk: `{"choices":[{"delta":{"reasoning_content"|"reasoning","content"},
 * "finish_reason"}],"usage":{…}}`; a last one may have no choices. Some models put the running
 * totals in every chunk's usage, others each chunk's own tokens (prompt tokens only in the
 * first) and close with Cloudflare's usage frame.
 */
interface ChunkFrame {
  choices?: { delta?: { content?: unknown, reasoning_content?: unknown, reasoning?: unknown }, finish_reason?: unknown }[]
  usage?: WireUsage
}

function readChunkFrame(frame: ChunkFrame, read: FramesRead): void {
  const choice = frame.choices?.[0]
  reasoning(choice?.delta?.reasoning_content ?? choice?.delta?.reasoning, read)
  text(choice?.delta?.content, read)
  if (choice?.finish_reason) read.finishReason = choice.finish_reason === 'length' ? 'length' : 'stop'
  if (frame.usage && !read.totals) {
    const usage = usageOf(frame.usage)
    const previous = read.usage
    const ownTokens = previous && !usage.promptTokens && previous.promptTokens
    read.usage = ownTokens
      ? { promptTokens: previous.promptTokens, completionTokens: (previous.completionTokens ?? 0) + (usage.completionTokens ?? 0) }
      : usage
  }
}

function reasoning(value: unknown, read: FramesRead): void {
  if (typeof value === 'string' && value) read.parts.push({ type: 'reasoning-delta', delta: value })
}

function text(value: unknown, read: FramesRead): void {
  if (value === undefined || value === null || value === '') return
  const delta = String(value)
  if (read.splitter) read.splitter.push(delta, read.parts)
  else read.parts.push({ type: 'text-delta', delta })
}

function usageOf(usage: WireUsage): Usage {
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
}

/**
 * Cloudflare's own frames carry no finish reason: an answer that used its whole output budget
 * was cut off there.
 */
function finishReason(read: FramesRead, budget: number): FinishReason {
  if (read.finishReason) return read.finishReason
  return budget > 0 && (read.usage?.completionTokens ?? 0) >= budget ? 'length' : 'stop'
}
