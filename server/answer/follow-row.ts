import { ERRORS, type ChatStreamMetadata, type FinishReason, type StoredStatus } from '#shared/contract'
import type { Usage } from '../workers-ai/index.ts'
import type { AnswerEvent, AnswerReader, StartEvent } from './events.ts'

/** An answer's row, as a reader on another instance than its generation's sees it. */
export interface AnswerRow {
  id: number
  /** The text as far as it was checkpointed; all of it once the answer has ended. */
  content: string
  /** The thinking likewise ('' for none). */
  reasoning: string
  status: StoredStatus
  usage?: Usage
  finishReason?: FinishReason
  /** Once its generation has stored it: the metadata its own stream ended with. */
  metadata?: ChatStreamMetadata
  /** Its generation stopped writing long ago (its instance died): it was ended as an error. */
  interrupted?: boolean
}

export interface FollowOptions {
  start: StartEvent
  /** The row as first read; its text is sent at once. */
  first: AnswerRow
  /** Reads the row again; undefined once it is gone (its chat was deleted). */
  read: () => Promise<AnswerRow | undefined>
  intervalMs: number
  /** The reader ends with an error after this long without a successful read. */
  giveUpMs: number
  /** Called once the answer's end has been read. */
  onEnd?: (row: AnswerRow) => void
}

/**
 * Follows an answer that is generated elsewhere (another instance, another Worker isolate)
 * through its row: `start`, the checkpointed text, then what the row gained at each read, and the
 * same `end` as the generation's once the row has ended. The thinking and the text grow by
 * appending only, so a follower's are exactly the stored answer's, whatever they were cut into.
 *
 * @example return answerResponse(event).send(followAnswerRow({ start, first, read, intervalMs: 300, giveUpMs }), uiMessageStream)
 */
export function followAnswerRow(options: FollowOptions): AnswerReader {
  const pending: AnswerEvent[] = [options.start]
  let sent = 0
  let thought = 0
  let notify: (() => void) | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let open = true
  let lastRead = Date.now()

  const end = (event: Extract<AnswerEvent, { type: 'end' }>) => {
    pending.push(event)
    open = false
  }
  const apply = (row: AnswerRow | undefined) => {
    if (!row) return end({ type: 'end', status: 'aborted' })
    if (row.reasoning.length > thought) {
      pending.push({ type: 'reasoning-delta', delta: row.reasoning.slice(thought) })
      thought = row.reasoning.length
    }
    if (row.content.length > sent) {
      pending.push({ type: 'text-delta', delta: row.content.slice(sent) })
      sent = row.content.length
    }
    if (row.status === 'streaming') return
    const usage = row.usage
    end({
      type: 'end',
      status: row.status,
      usage,
      finishReason: row.finishReason,
      metadata: row.metadata ?? { assistantMessageId: row.id, status: row.status, usage },
      error: row.status !== 'error' ? undefined : row.interrupted ? ERRORS.answerInterrupted : ERRORS.upstreamBrokenStream,
    })
    options.onEnd?.(row)
  }
  const poll = async () => {
    try {
      apply(await options.read())
      lastRead = Date.now()
    }
    catch {
      if (Date.now() - lastRead > options.giveUpMs) end({ type: 'end', status: 'error', error: ERRORS.databaseUnavailable })
    }
    if (pending.length) notify?.()
    if (open) timer = setTimeout(poll, options.intervalMs)
  }

  apply(options.first)
  if (open) timer = setTimeout(poll, options.intervalMs)
  return {
    take: () => pending.splice(0),
    onReady: (callback) => {
      notify = callback
    },
    close: () => {
      open = false
      clearTimeout(timer)
    },
  }
}
