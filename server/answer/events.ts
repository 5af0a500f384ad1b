import type { ChatStreamMetadata, FinishReason, MessageStatus } from '#shared/contract'
import type { AnswerPart, Usage } from '../workers-ai/index.ts'

/**
 * What happened in an answer, in order: one `start`, the adapter's parts as they arrived
 * (thinking, then text), one `end`. A generation (generation.ts) produces them; an encoding
 * (ui-message-stream.ts) says how each is written; a transport (response.ts) writes them.
 *
 * `end.status` is how the answer was stored: `complete`, `error` (it broke off or timed out) or
 * `aborted` (stopped, or its client left). `end.error` is what the client is told when the
 * answer went wrong: it broke off, timed out, or could not be stored.
 */
export type AnswerEvent =
  | { type: 'start', metadata: ChatStreamMetadata }
  | Exclude<AnswerPart, { type: 'finish' }>
  | AnswerEnd

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
