import type { H3Event } from 'h3'
import { messageUiId } from '#shared/contract'
import type { AnswerReader } from '../answer/events.ts'
import { followAnswerRow } from '../answer/follow-row.ts'
import { answerResponse } from '../answer/response.ts'
import { uiMessageStream } from '../answer/ui-message-stream.ts'

/** How often a reader on another instance reads the row of the answer it follows: one indexed read. */
const FOLLOW_INTERVAL_MS = 300

/**
 * GET /api/chats/:id/stream: the chat's answer in progress as a UI message stream, from its
 * `start` (the thinking and text generated so far at once, then the rest as it comes, ending as the
 * original stream ends), or 204 when the chat has none. On the instance that generates it, the
 * answer is read from memory; elsewhere (another instance, another Worker isolate) its row is
 * followed. Like the request that asked for it, a resume answers once the first token is
 * there: an answer that never begins is nothing to resume.
 *
 * @example return resumeChatAnswer(event, user.id, chatId)
 */
export async function resumeChatAnswer(event: H3Event, userId: number, chatId: number) {
  const reader = await answerInProgress(userId, chatId)
  return reader ? answerResponse(event).send(reader, uiMessageStream()) : sendNoContent(event, 204)
}

/**
 * A new reader of the chat's answer in progress, from its `start`: from memory on the instance
 * that generates it, else following its row; undefined when the chat has none.
 */
export async function answerInProgress(userId: number, chatId: number): Promise<AnswerReader | undefined> {
  const here = await answerGeneratedHere(userId, chatId)
  if (here) return here.read()

  const db = await useDb()
  const found = await readAnswerInProgress(db, userId, chatId)
  let row = found?.row
  while (row?.status === 'streaming' && !row.content && !row.reasoning) {
    await new Promise(resolve => setTimeout(resolve, FOLLOW_INTERVAL_MS))
    row = await readAnswerRow(db, row.id, found!.generationId)
  }
  if (!found || !row) return undefined

  const { answerStaleMs, storeRetryMs } = serverConfig()
  const { generationId, userMessageId, model } = found
  const answerId = row.id
  return followAnswerRow({
    start: { type: 'start', metadata: { generationId, model, userMessageId }, messageId: messageUiId(answerId) },
    first: row,
    read: () => readAnswerRow(db, answerId, generationId),
    intervalMs: FOLLOW_INTERVAL_MS,
    // The generation keeps its answer through an outage this long, then it is taken for dead.
    giveUpMs: storeRetryMs + answerStaleMs,
    onEnd: ended => void markAnswerSeen(db, ended.id).catch(() => {}),
  })
}
