import type { ChatStreamMetadata, FinishReason, MessageStatus } from '#shared/contract'
import type { AnswerPart, Usage } from '../workers-ai/index.ts'

/**
 * What happened in an answer, in order: one `start`, the adapter's parts as they arrived
 * (thinking, then text), one `end`. A generation (generation.ts) produces them; a live answer
 * (live-answer.ts) keeps them for its readers; an encoding (ui-message-stream.ts) says how each
 * is written; a transport (response.ts) writes them.
 *
 * `store-pending`: the answer has ended but the database could not take it; it is kept and
 * retried, and `end` follows once it is stored or given up.
 *
 * `end.status` is how the answer was stored: `complete`, `error` (it broke off or timed out) or
 * `aborted` (stopped). `end.error` is what the client is told when the answer went wrong: it
 * broke off, timed out, or could not be stored.
 */
export type AnswerEvent =
  | { type: 'start', metadata: ChatStreamMetadata, messageId?: string }
  | Exclude<AnswerPart, { type: 'finish' }>
  | { type: 'store-pending', status: MessageStatus }
  | AnswerEnd

export type StartEvent = Extract<AnswerEvent, { type: 'start' }>

export interface AnswerEnd {
  type: 'end'
  status: MessageStatus
  usage?: Usage
  /** For a complete answer: `length` when it was cut off at the model's output budget. */
  finishReason?: FinishReason
  /** What storing the answer returned (its id, status and usage); none in the playground or when storing failed. */
  metadata?: ChatStreamMetadata
  error?: string
}

/**
 * How an answer's events are written: the response's headers, and each event as text. An
 * encoding may remember what it wrote before (which blocks are open), so each answer gets its own.
 */
export interface AnswerEncoding {
  headers: Record<string, string>
  encode: (event: AnswerEvent) => string
}

/**
 * One reader of an answer's events, from its `start`: the request that asked for it, or one that
 * resumes it. A transport takes what is ready whenever it is told, as fast as its client reads.
 */
export interface AnswerReader {
  /** The events that arrived since the last call (on the first call, every event so far). */
  take: () => AnswerEvent[]
  /** `callback` is called whenever new events are ready to take. */
  onReady: (callback: () => void) => void
  /** The reader is done (the answer ended, or its client left); the answer itself goes on. */
  close: () => void
}

/**
 * A reader's events as they come, for a caller that collects them rather than streaming them
 * (one JSON body); the reader is closed once the `end` is out or the caller stops.
 *
 * @example for await (const event of readerEvents(answer.read())) text += event.type === 'text-delta' ? event.delta : ''
 */
export async function* readerEvents(reader: AnswerReader): AsyncGenerator<AnswerEvent, void> {
  try {
    for (;;) {
      const taken = reader.take()
      for (const event of taken) {
        yield event
        if (event.type === 'end') return
      }
      if (!taken.length) await new Promise<void>(resolve => reader.onReady(resolve))
    }
  }
  finally {
    reader.close()
  }
}
