import { UI_MESSAGE_STREAM_HEADERS, type UIMessageChunk } from 'ai'
import type { AnswerEncoding, AnswerEnd } from './events.ts'

/** The answer is one text part. */
const TEXT_ID = 'text-0'

/** One server-sent event of the UI message stream. */
function frame(chunk: UIMessageChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`
}

const DONE = 'data: [DONE]\n\n'

/**
 * The AI SDK's UI message stream, which `useChat` reads: `start`, `start-step`, `text-start`,
 * one `text-delta` per group of tokens, `text-end`, then `finish-step`, `finish` and `[DONE]`.
 * An answer that did not complete ends after `text-end` with the stored answer's metadata and
 * an `abort` frame and `[DONE]` (stopped) or an `error` frame (no `[DONE]`, as the AI SDK does).
 *
 * @example return answerResponse(event).send(generation.events(metadata), uiMessageStream)
 */
export const uiMessageStream: AnswerEncoding = {
  headers: UI_MESSAGE_STREAM_HEADERS,
  encode(event) {
    switch (event.type) {
      case 'text-delta':
        return frame({ type: 'text-delta', id: TEXT_ID, delta: event.delta })
      case 'start':
        return frame({ type: 'start', messageMetadata: event.metadata }) + frame({ type: 'start-step' }) + frame({ type: 'text-start', id: TEXT_ID })
      case 'end':
        return endFrames(event)
    }
  },
}

function endFrames({ status, metadata, error }: AnswerEnd): string {
  const textEnd = frame({ type: 'text-end', id: TEXT_ID })
  if (status === 'complete' && error === undefined) {
    return textEnd + frame({ type: 'finish-step' }) + frame({ type: 'finish', finishReason: 'stop', messageMetadata: metadata }) + DONE
  }
  const stored = metadata ? frame({ type: 'message-metadata', messageMetadata: metadata }) : ''
  if (error === undefined) return textEnd + stored + frame({ type: 'abort', reason: 'stopped' }) + DONE
  return textEnd + stored + frame({ type: 'error', errorText: error })
}
