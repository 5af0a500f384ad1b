import type { UIMessageChunk } from 'ai'
import type { AnswerEncoding, AnswerEnd } from './events.ts'

/** The answer is at most one reasoning part, then one text part. */
const REASONING_ID = 'reasoning-0'
const TEXT_ID = 'text-0'

/** One server-sent event of the UI message stream. */
function frame(chunk: UIMessageChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`
}

const DONE = 'data: [DONE]\n\n'

/**
 * The AI SDK's UI_MESSAGE_STREAM_HEADERS, written out: importing the value would make every
 * server load the whole SDK at start for five headers. tests/unit/encodings.test.ts fails if the
 * SDK's change.
 */
export const UI_MESSAGE_STREAM_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'connection': 'keep-alive',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
}

/**
 * The AI SDK's UI message stream, which `useChat` reads: `start`, `start-step`, the thinking as
 * `reasoning-start`, `reasoning-delta`s and `reasoning-end` (reasoning models), then
 * `text-start`, one `text-delta` per group of tokens, `text-end`, then `finish-step`, `finish`
 * and `[DONE]`. Each block opens at its first delta and closes when the next begins or the
 * answer ends. An answer that did not complete ends with the stored answer's metadata and an
 * `abort` frame and `[DONE]` (stopped) or an `error` frame (no `[DONE]`, as the AI SDK does).
 * A saved answer's `start` names its message (`messageId`), so a client that resumes it updates
 * the message it already shows instead of adding one. One per reader: it remembers which block
 * is open.
 *
 * @example return answerResponse(event).send(answer.read(), uiMessageStream())
 */
export function uiMessageStream(): AnswerEncoding {
  let open: 'reasoning' | 'text' | undefined

  function close(): string {
    const was = open
    open = undefined
    if (was === 'reasoning') return frame({ type: 'reasoning-end', id: REASONING_ID })
    return was === 'text' ? frame({ type: 'text-end', id: TEXT_ID }) : ''
  }

  return {
    headers: UI_MESSAGE_STREAM_HEADERS,
    encode(event) {
      switch (event.type) {
        case 'text-delta': {
          // Frames are written per delta on the hot path: the common case is one short string.
          if (open === 'text') return frame({ type: 'text-delta', id: TEXT_ID, delta: event.delta })
          const opening = close() + frame({ type: 'text-start', id: TEXT_ID })
          open = 'text'
          return opening + frame({ type: 'text-delta', id: TEXT_ID, delta: event.delta })
        }
        case 'reasoning-delta': {
          if (open === 'reasoning') return frame({ type: 'reasoning-delta', id: REASONING_ID, delta: event.delta })
          const opening = close() + frame({ type: 'reasoning-start', id: REASONING_ID })
          open = 'reasoning'
          return opening + frame({ type: 'reasoning-delta', id: REASONING_ID, delta: event.delta })
        }
        case 'start':
          return frame({ type: 'start', messageId: event.messageId, messageMetadata: event.metadata }) + frame({ type: 'start-step' })
        case 'store-pending':
          return frame({ type: 'message-metadata', messageMetadata: { status: event.status, storage: 'pending' } })
        case 'end':
          return close() + endFrames(event)
      }
    },
  }
}

function endFrames({ status, metadata, error, finishReason }: AnswerEnd): string {
  if (status === 'complete' && error === undefined) {
    return frame({ type: 'finish-step' }) + frame({ type: 'finish', finishReason: finishReason ?? 'stop', messageMetadata: metadata }) + DONE
  }
  const stored = metadata ? frame({ type: 'message-metadata', messageMetadata: metadata }) : ''
  if (error === undefined) return stored + frame({ type: 'abort', reason: 'stopped' }) + DONE
  return stored + frame({ type: 'error', errorText: error })
}
