import { sql, type SQL } from 'drizzle-orm'
import { chatTitleFrom, DEFAULT_CHAT_TITLE, ERRORS, type FinishReason, type StoredStatus } from '#shared/contract'
import type { AnswerProgress, CheckpointResult } from '../answer/checkpoints.ts'
import type { AnswerRow } from '../answer/follow-row.ts'
import type { AnswerToStore } from './answer-price.ts'
import { runsOneStatementAtATime } from '../db/connect.ts'
import { usageWrites } from './usage-store.ts'

// An answer's row from its turn's start to its end: stored with the question as `streaming`,
// checkpointed while it streams, written once more when it ends. The README's "Resumable
// answers" section tells the whole story.

/** A turn's stored user message, and the row its answer is being written to. */
export interface TurnIds {
  userMessageId: number
  /** Taken from the messages sequence with the question's, so the answer sorts right after it. */
  assistantMessageId: number
}

export interface StartedTurn extends TurnIds {
  superseded?: string
  joined?: string
}

/** Database time `ms` milliseconds ago: answers not written since are stale. */
export function databaseTimeAgo(ms: number): SQL {
  return sql`now() - ${ms}::integer * interval '1 millisecond'`
}

/**
 * Starts a chat turn in one round trip (the `start_turn` function, migration 0009): stores the
 * user's message (a retry of the same message with no answer after it reuses it), names an
 * untitled chat, and inserts the answer's row as `streaming` under `generationId`. A question
 * in a chat that is still answering supersedes that answer: `superseded` is its generation, for
 * the caller to stop; the very question that answer replies to joins it instead (`joined`: its
 * generation, whose ids are returned). 429 when the user has CHAT_MAX_CONCURRENT_ANSWERS answers
 * generating already; 403 when a new question would take the user past USER_STORAGE_QUOTA_MB
 * (the answer to an accepted question is always kept); 404 if the chat is not the user's, or
 * if `place.parentId` is not one of its messages.
 */
export async function startTurn(db: Database, turn: { userId: number, chatId: number, content: string, generationId: string, model: string, place: TurnPlace }): Promise<StartedTurn> {
  const { limits: { answersAtOncePerUser, storageBytesPerUser }, answerStaleMs } = serverConfig()
  // PGlite belongs to one process, which counts its own answers exactly (startChatAnswer): the
  // count across instances, a scan of every answer in progress, is for PostgreSQL.
  const maxAnswers = runsOneStatementAtATime(db) ? 0 : answersAtOncePerUser
  const [row] = await queryRows<{ outcome: string, user_message_id: number, assistant_message_id: number, superseded: string | null }>(db, sql`
    select outcome, user_message_id, assistant_message_id, superseded
    from start_turn(${turn.userId}, ${turn.chatId}, ${turn.content}, ${chatTitleFrom(turn.content)}, ${DEFAULT_CHAT_TITLE},
      ${turn.generationId}, ${turn.model}, ${maxAnswers}::integer, ${answerStaleMs}::integer, ${storageBytesPerUser}::bigint,
      ${historyHashes(turn.place.history)}::text[], ${turn.place.parentId ?? null}::integer, ${turn.place.parentId !== undefined})`)
  if (!row) throw apiError(404, ERRORS.chatNotFound)
  if (row.outcome === 'no_parent') throw apiError(404, ERRORS.messageNotFound)
  if (row.outcome === 'busy') throw tooManyAnswers()
  if (row.outcome === 'over_quota') throw apiError(403, ERRORS.storageQuotaReached)
  const ids = { userMessageId: row.user_message_id, assistantMessageId: row.assistant_message_id }
  return row.outcome === 'joined' ? { ...ids, joined: row.superseded! } : { ...ids, superseded: row.superseded ?? undefined }
}

/** 429 for a user at the cap on answers generating at once. */
export function tooManyAnswers() {
  return apiError(429, ERRORS.tooManyAnswers, { 'retry-after': String(ANSWERS_RETRY_AFTER_S) })
}

/** An answer takes seconds: a client refused for the cap may try again soon. */
const ANSWERS_RETRY_AFTER_S = 5

/**
 * Writes the text and thinking so far to a `streaming` answer; 'ended' when its row no longer
 * takes it. On PGlite, checkpoints asked for while one is being written go together in the next
 * statement (a group commit): PGlite runs one statement at a time, and a thousand answers
 * streaming at once asked for a thousand a second, more than it could write (each also runs the
 * storage-quota trigger), so every new turn's first statement queued behind them (1,000 slow
 * streams took 80 s to begin, and half ran into the first-token timeout). At rest a checkpoint
 * still goes at once, alone. PostgreSQL writes them side by side over its pool; there a statement
 * for many users' rows would lock their users rows in no set order, and two could deadlock.
 */
export function writeCheckpoint(db: Database, id: number, generationId: string, progress: AnswerProgress): Promise<CheckpointResult> {
  if (!runsOneStatementAtATime(db)) return checkpointOne(db, { id, generationId, progress })
  const batch = checkpointBatches.get(db) ?? { queued: [], writing: false }
  checkpointBatches.set(db, batch)
  return new Promise((settle, fail) => {
    batch.queued.push({ id, generationId, progress, settle, fail })
    if (!batch.writing) void writeCheckpointBatches(db, batch)
  })
}

interface QueuedCheckpoint {
  id: number
  generationId: string
  progress: AnswerProgress
  settle: (result: CheckpointResult) => void
  fail: (error: unknown) => void
}

const checkpointBatches = new WeakMap<Database, { queued: QueuedCheckpoint[], writing: boolean }>()

/** Checkpoints per statement at most: a bound on the statement's size, not a goal. */
const CHECKPOINTS_PER_STATEMENT = 500

async function writeCheckpointBatches(db: Database, batch: { queued: QueuedCheckpoint[], writing: boolean }): Promise<void> {
  batch.writing = true
  try {
    while (batch.queued.length) {
      const rows = batch.queued.splice(0, CHECKPOINTS_PER_STATEMENT)
      try {
        const written = await writeCheckpoints(db, rows)
        for (const row of rows) row.settle(written.has(row.id) ? 'written' : 'ended')
      }
      catch (error) {
        // One row the database refuses must not cost the others their checkpoint: each alone.
        if (rows.length === 1) rows[0]!.fail(error)
        else for (const row of rows) await checkpointOne(db, row).then(row.settle, row.fail)
      }
    }
  }
  finally {
    batch.writing = false
  }
}

async function checkpointOne(db: Database, row: Pick<QueuedCheckpoint, 'id' | 'generationId' | 'progress'>): Promise<CheckpointResult> {
  return (await writeCheckpoints(db, [row])).has(row.id) ? 'written' : 'ended'
}

/** The checkpoints in one statement; the ids of the rows that took theirs. */
async function writeCheckpoints(db: Database, rows: Pick<QueuedCheckpoint, 'id' | 'generationId' | 'progress'>[]): Promise<Set<number>> {
  if (rows.length === 1) {
    const [{ id, generationId, progress }] = rows as [typeof rows[number]]
    const written = await queryRows<{ id: number }>(db, sql`
      update messages set content = ${progress.content}, reasoning = ${progress.reasoning || null}, checkpoint_at = now()
      where id = ${id} and generation_id = ${generationId} and status = 'streaming'
      returning id`)
    return new Set(written.map(row => row.id))
  }
  // As JSON: the texts go as one parameter, escaped by JSON.stringify, with no array syntax to get right.
  const values = JSON.stringify(rows.map(({ id, generationId, progress }) => ({ id, generation_id: generationId, content: progress.content, reasoning: progress.reasoning || null })))
  const written = await queryRows<{ id: number }>(db, sql`
    update messages set content = v.content, reasoning = v.reasoning, checkpoint_at = now()
    from jsonb_to_recordset(${values}::jsonb) as v(id integer, generation_id text, content text, reasoning text)
    where messages.id = v.id and messages.generation_id = v.generation_id and messages.status = 'streaming'
    returning messages.id`)
  return new Set(written.map(row => row.id))
}

/**
 * Writes the answer once it has ended, however it ended, in one statement: the message (`seen`
 * when a client was reading it to the end), its cost added to the user's day, and its model as
 * the user's last used (the chat's is set when the turn starts, by start_turn, which holds the
 * chat's row: written here, after the answer's row, it could deadlock with a superseding turn).
 * Whatever the row says by then (ended by a newer question, taken for dead) yields to the
 * generation's own end. If the row is gone (its chat was deleted) no message is kept, but the
 * spending still counts. The cost is counted once, however often the statement is tried: a retry
 * after an outage finds the row already priced. `untitled`: the answer is the chat's first
 * complete one and the chat's title is still its fallback, so a title may be generated for it.
 */
export async function storeAnswer(db: Database, id: number, generationId: string, answer: AnswerToStore & { seen: boolean }): Promise<{ id: number, untitled: boolean } | undefined> {
  const untitled = answer.status === 'complete'
    ? sql`(select title_source = 'fallback' from chats where id = stored.chat_id)
        and not exists (select 1 from messages m where m.chat_id = stored.chat_id and m.role = 'assistant' and m.status = 'complete' and m.id <> stored.id)`
    : sql`false`
  const rows = await queryRows<{ id: number, untitled: boolean }>(db, sql`
    with stored as (
      update messages set content = ${answer.content}, status = ${answer.status},
        prompt_tokens = ${answer.usage?.promptTokens ?? null}, completion_tokens = ${answer.usage?.completionTokens ?? null},
        neurons = ${answer.neurons}, cost_usd = ${answer.costUsd},
        reasoning = ${answer.reasoning ?? null}, reasoning_ms = ${answer.reasoningMs ?? null}, finish_reason = ${answer.finishReason ?? null},
        checkpoint_at = now(), seen = seen or ${answer.seen}
      where id = ${id} and generation_id = ${generationId}
      returning id, chat_id
    ),
    ${usageWrites(answer.spent, sql`not exists (select 1 from messages where id = ${id} and generation_id = ${generationId} and neurons is not null)`)}
    select id, coalesce(${untitled}, false) as untitled from stored`)
  return rows[0]
}

/**
 * Removes the row of an answer that never began (its request failed before the first token). A
 * regenerated answer's earlier version goes back on the active path.
 */
export async function dropUnstartedAnswer(db: Database, id: number, generationId: string): Promise<void> {
  const [dropped] = await queryRows<{ chat_id: number, parent_id: number | null, active: boolean }>(db, sql`
    delete from messages where id = ${id} and generation_id = ${generationId} and status = 'streaming'
    returning chat_id, parent_id, active`)
  if (dropped?.active) await restoreActivePath(db, dropped.chat_id, dropped.parent_id)
}

/** A chat's answer in progress, as a reader about to resume it finds it. */
export interface AnswerInProgress {
  row: AnswerRow
  generationId: string
  userMessageId: number | undefined
  /** The model that writes it. */
  model: string | undefined
}

/**
 * The chat's answer in progress, if it has one (undefined: nothing to resume); 404 for a chat
 * that is not the user's. An answer whose generation stopped writing long ago is ended as an
 * error on the way (see `readAnswerRow`).
 */
export async function readAnswerInProgress(db: Database, userId: number, chatId: number): Promise<AnswerInProgress | undefined> {
  const [row] = await queryRows<{ chat_id: number, id: number | null, generation_id: string | null, model: string | null, user_message_id: number | null }>(db, sql`
    select c.id as chat_id, m.id, m.generation_id, m.model, m.parent_id as user_message_id
    from chats c
    left join lateral (select id, generation_id, model, parent_id from messages where chat_id = c.id and status = 'streaming' and active order by id desc limit 1) m on true
    where c.id = ${chatId} and c.user_id = ${userId}`)
  if (!row) throw apiError(404, ERRORS.chatNotFound)
  if (row.id === null || row.generation_id === null) return undefined
  const answer = await readAnswerRow(db, row.id, row.generation_id)
  return answer && { row: answer, generationId: row.generation_id, userMessageId: row.user_message_id ?? undefined, model: row.model ?? undefined }
}

interface StoredAnswerRow {
  content: string
  reasoning: string | null
  status: StoredStatus
  prompt_tokens: number | null
  completion_tokens: number | null
  neurons: number | null
  cost_usd: number | null
  reasoning_ms: number | null
  finish_reason: FinishReason | null
  stale: boolean
}

/**
 * An answer's row, for a reader that follows it; undefined once it is gone. A `streaming` row
 * not written for CHAT_ANSWER_STALE_MS belongs to a generation that died with its instance: it
 * is ended as an error with what was checkpointed (compare-and-set, so a generation that is
 * alive after all keeps the last word).
 */
export async function readAnswerRow(db: Database, id: number, generationId: string): Promise<AnswerRow | undefined> {
  const { answerStaleMs } = serverConfig()
  const [row] = await queryRows<StoredAnswerRow>(db, sql`
    select content, reasoning, status, prompt_tokens, completion_tokens, neurons, cost_usd, reasoning_ms, finish_reason,
      (status = 'streaming' and checkpoint_at < ${databaseTimeAgo(answerStaleMs)}) as stale
    from messages where id = ${id} and generation_id = ${generationId}`)
  if (!row) return undefined
  if (!row.stale) return answerRowOf(id, row)
  const [ended] = await queryRows<{ content: string, reasoning: string | null }>(db, sql`
    update messages set status = 'error' where id = ${id} and status = 'streaming' and checkpoint_at < ${databaseTimeAgo(answerStaleMs)}
    returning content, reasoning`)
  return ended ? { id, content: ended.content, reasoning: ended.reasoning ?? '', status: 'error', interrupted: true } : readAnswerRow(db, id, generationId)
}

/** The row as a follower sees it; once its generation has stored it, with the same end metadata. */
function answerRowOf(id: number, row: StoredAnswerRow): AnswerRow {
  const usage = row.prompt_tokens === null && row.completion_tokens === null
    ? undefined
    : { promptTokens: row.prompt_tokens ?? undefined, completionTokens: row.completion_tokens ?? undefined }
  const answer: AnswerRow = { id, content: row.content, reasoning: row.reasoning ?? '', status: row.status, usage }
  if (row.status === 'streaming') return answer
  answer.finishReason = row.finish_reason ?? undefined
  // Priced: stored by its generation, whose stream ended with exactly this.
  if (row.neurons !== null) {
    answer.metadata = {
      assistantMessageId: id,
      ...endMetadata({
        status: row.status,
        usage,
        neurons: row.neurons,
        costUsd: row.cost_usd ?? 0,
        reasoningMs: row.reasoning_ms ?? undefined,
        finishReason: answer.finishReason,
      }),
    }
  }
  return answer
}

/** The answer was read to its end by a client: it is not unread. */
export async function markAnswerSeen(db: Database, id: number): Promise<void> {
  await db.execute(sql`update messages set seen = true where id = ${id} and not seen`)
}

/**
 * Ends answers whose generation died with its instance, as errors with what was checkpointed:
 * every `streaming` answer when this process is the database's only user (PGlite), else those not
 * written for CHAT_ANSWER_STALE_MS. Run at start-up; readers and new turns do the same on the way.
 */
export async function endDeadAnswers(db: Database, only: 'stale' | 'all'): Promise<void> {
  await db.execute(only === 'all'
    ? sql`update messages set status = 'error' where status = 'streaming'`
    : sql`update messages set status = 'error' where status = 'streaming' and checkpoint_at < ${databaseTimeAgo(serverConfig().answerStaleMs)}`)
}

/**
 * Presented status of a stored message: a `streaming` answer whose generation stopped writing
 * long ago shows as the error it will be stored as.
 */
export function presentedStatus(staleMs: number): SQL<StoredStatus> {
  return sql<StoredStatus>`case when messages.status = 'streaming' and messages.checkpoint_at < ${databaseTimeAgo(staleMs)} then 'error' else messages.status end`
}
