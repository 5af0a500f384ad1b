import Negotiator from 'negotiator'
import { getRequestHeader, type H3Event } from 'h3'
import type { AnswerEncoding } from './events.ts'
import { plainText } from './plain-text.ts'
import { uiMessageStream } from './ui-message-stream.ts'

const UI_MESSAGE_STREAM = 'text/event-stream'
const PLAIN_TEXT = 'text/plain'

/**
 * The chat endpoint's encoding for the request's Accept header: plain text when the client
 * prefers `text/plain` to `text/event-stream`, else the UI message stream (no header, `*\/*`,
 * `text/event-stream`, or anything else). Errors are JSON either way.
 *
 * @example return streamChatAnswer(event, turn, negotiatedEncoding(event))
 */
export function negotiatedEncoding(event: H3Event): AnswerEncoding {
  return prefersPlainText(getRequestHeader(event, 'accept')) ? plainText() : uiMessageStream()
}

/** Whether an Accept header's value prefers `text/plain` to `text/event-stream` (negotiator decides). */
export function prefersPlainText(accept: string | undefined): boolean {
  return !!accept && new Negotiator({ headers: { accept } }).mediaType([UI_MESSAGE_STREAM, PLAIN_TEXT]) === PLAIN_TEXT
}
