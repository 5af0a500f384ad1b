/** How a checkpoint write went: written, or the answer's row takes no more (stopped elsewhere, deleted). */
export type CheckpointResult = 'written' | 'ended'

/** What a checkpoint writes: the answer's text and thinking so far; both only grow. */
export interface AnswerProgress {
  readonly content: string
  readonly reasoning: string
}

/** The progress of an answer that has not begun. */
export const NOTHING_YET: AnswerProgress = { content: '', reasoning: '' }

export interface CheckpointOptions {
  /** The text and thinking so far. */
  progress: () => AnswerProgress
  /** Writes them to the answer's row (and the time, as a heartbeat). */
  write: (progress: AnswerProgress) => Promise<CheckpointResult>
  /** The row takes no more checkpoints: whoever ended it there wants the generation to stop. */
  onEnded: () => void
  /** At most one write per interval, and only when the text or thinking grew… */
  intervalMs: number
  /** …or as a heartbeat when it has not grown for this long, so the answer is not taken for dead. */
  heartbeatMs: number
}

/**
 * Writes an answer's progress to its row while it streams: what a reader on another instance
 * follows, and what is kept if this instance dies. Never a write per token, never two at once;
 * a write that fails (the database is away) is simply skipped.
 * `stop` waits for a write in flight, so that the final write always comes after it.
 *
 * @example const checkpoints = startCheckpoints({ progress: () => generation.soFar, write, onEnded, intervalMs: 1000, heartbeatMs: 5000 })
 */
export function startCheckpoints(options: CheckpointOptions): { stop: () => Promise<void> } {
  let written = size(options.progress())
  let writtenAt = Date.now()
  let writing: Promise<void> | undefined
  const tick = () => {
    if (writing) return
    // Copied: the generation goes on adding to its own while the write is in flight.
    const { content, reasoning } = options.progress()
    const now = size({ content, reasoning })
    if (now === written && Date.now() - writtenAt < options.heartbeatMs) return
    writing = options.write({ content, reasoning }).then((result) => {
      written = now
      writtenAt = Date.now()
      if (result === 'ended') {
        clearInterval(timer)
        options.onEnded()
      }
    }, () => {}).finally(() => {
      writing = undefined
    })
  }
  const timer = setInterval(tick, options.intervalMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await writing
    },
  }
}

/** Text and thinking only grow: their length says whether there is something new. */
function size(progress: AnswerProgress): number {
  return progress.content.length + progress.reasoning.length
}
