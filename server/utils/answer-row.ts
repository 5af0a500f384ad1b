import type { ChatStreamMetadata } from '#shared/contract'
import { startCheckpoints, type AnswerProgress } from '../answer/checkpoints.ts'
import type { AnswerToStore } from './answer-price.ts'

/** At most one checkpoint per second of streaming: the database never sees a write per token. */
const CHECKPOINT_INTERVAL_MS = 1000

export interface AnswerRowWriter {
  /** Settles once the turn is stored (its ids), or fails as the turn's HTTP error (404, 429, 503). */
  started: Promise<StartedTurn>
  /** Stores the ended answer (`seen`: a client read it to the end); its metadata for the stream's end. */
  store: (answer: AnswerToStore, seen: boolean, pending: () => void) => Promise<ChatStreamMetadata>
  /** Removes the row of an answer that never began (a failure before its first token). */
  drop: () => Promise<void>
}

/**
 * Writes a saved chat's turn from its start to its answer's end: the question and the answer's
 * row in one round trip now; a checkpoint of `progress()` at most once a second while it streams
 * (a heartbeat when idle); the answer once more when it ends, kept and retried through a short
 * database outage (its cost counted once). A newer question in the chat stops the answer it supersedes, and a row that
 * stops taking checkpoints (stopped elsewhere, deleted) calls `stop`. `untitled` is called once the
 * chat's first complete answer is stored while its title is still the fallback.
 *
 * @example const row = answerRow({ userId, chatId, content, model }, generation.id, { progress: () => generation.soFar, stop })
 */
export function answerRow(turn: { userId: number, chatId: number, content: string, model: string, place: TurnPlace }, generationId: string, answer: { progress: () => AnswerProgress, stop: () => void, untitled?: (db: Promise<Database>) => void }): AnswerRowWriter {
  const { answerStaleMs } = serverConfig()
  // Taken now: on Workers the answer is stored after the request's own context has ended.
  const db = useDb()
  const started = db.then(db => startTurn(db, { ...turn, generationId }))
  started.catch(() => {})
  void started.then(({ superseded }) => superseded && stopGeneration(turn.userId, superseded)).catch(() => {})
  const checkpoints = started.then(async ids => ids.joined ? undefined : startCheckpoints({
    progress: answer.progress,
    write: async progress => writeCheckpoint(await db, ids.assistantMessageId, generationId, progress),
    onEnded: answer.stop,
    intervalMs: CHECKPOINT_INTERVAL_MS,
    heartbeatMs: Math.min(5000, answerStaleMs / 4),
  }))
  checkpoints.catch(() => {})
  return {
    started,
    async store(ended, seen, pending) {
      const [ids, database] = await Promise.all([started, db])
      await (await checkpoints)?.stop()
      const write = () => storeAnswer(database, ids.assistantMessageId, generationId, { ...ended, seen })
      const bytes = (ended.content.length + (ended.reasoning?.length ?? 0)) * 2
      const stored = await storeWhileDatabaseAway(write, bytes, pending)
      if (stored?.untitled) answer.untitled?.(db)
      return { assistantMessageId: stored?.id, ...endMetadata(ended) }
    },
    async drop() {
      const [ids, database] = await Promise.all([started, db])
      if (ids.joined) return
      await (await checkpoints)?.stop()
      await dropUnstartedAnswer(database, ids.assistantMessageId, generationId)
    },
  }
}
