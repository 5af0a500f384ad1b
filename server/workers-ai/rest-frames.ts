import { createParser } from 'eventsource-parser'
import type { AnswerPart, Usage } from './parts.ts'
import type { UpstreamResponse } from './upstream-post.ts'

/** What the frames of one network read said. */
interface FramesRead {
  parts: AnswerPart[]
  usage?: Usage
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
 */
export async function* readRestFrames(response: UpstreamResponse): AsyncGenerator<AnswerPart> {
  const read: FramesRead = { parts: [], done: false, malformed: false }
  const parser = createParser({
    onEvent(event) {
      if (!read.done && !read.malformed) readFrame(event.data, read)
    },
  })
  const decoder = new TextDecoder()
  try {
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk, { stream: true }))
      for (const part of read.parts) yield part
      read.parts.length = 0
      if (read.malformed) throw new Error('Workers AI sent a malformed stream frame')
      if (read.done) break
    }
    yield { type: 'finish', truncated: !read.done, usage: read.usage }
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
  let frame: CloudflareFrame
  try {
    frame = JSON.parse(data)
  }
  catch {
    read.malformed = true
    return
  }
  readCloudflareFrame(frame, read)
}

/**
 * Cloudflare's own frame: `{"response":"…","tool_calls":[],"p":"…"}` per token group (`p` is
 * padding), then `{"response":"","usage":{…}}` before `[DONE]`.
 */
interface CloudflareFrame {
  response?: unknown
  usage?: { prompt_tokens?: number, completion_tokens?: number }
}

function readCloudflareFrame(frame: CloudflareFrame, read: FramesRead): void {
  if (typeof frame.response === 'string' && frame.response) read.parts.push({ type: 'text-delta', delta: frame.response })
  if (frame.usage) read.usage = { promptTokens: frame.usage.prompt_tokens, completionTokens: frame.usage.completion_tokens }
}
