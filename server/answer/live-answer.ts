import type { AnswerEvent, AnswerReader } from './events.ts'

/**
 * An answer being generated, held in memory for whoever reads it: the request that asked for
 * it, and any request that resumes it on this instance. Every reader gets every event from the
 * `start`, then the rest as they happen; a reader that leaves changes nothing for the others or
 * for the generation. Readers share the one list of events, and each takes what is new at the
 * pace its client reads, so a slow reader holds no copy and holds nobody back.
 */
export interface LiveAnswer {
  /** A new reader, from the first event. */
  read: () => AnswerReader
  /** How many readers are reading now. */
  readonly readers: number
  /** Resolves once the answer has ended: its `end` event is out (stored, or given up). */
  readonly ended: Promise<void>
}

/**
 * Runs `run` (a generation) and keeps its events for readers.
 *
 * @example const answer = liveAnswer(emit => generation.run(metadata, emit)); return answerResponse(event).send(answer.read(), uiMessageStream)
 */
export function liveAnswer(run: (emit: (event: AnswerEvent) => void) => Promise<void>): LiveAnswer {
  const events: AnswerEvent[] = []
  const waiting = new Set<() => void>()
  let readers = 0
  const emit = (event: AnswerEvent) => {
    events.push(event)
    for (const ready of waiting) ready()
  }
  const ended = run(emit).catch((error: unknown) => {
    // A generation ends with an `end` event whatever happens upstream; this is a bug, not an answer.
    console.error('[chat] a generation failed', error)
  })
  return {
    read() {
      let cursor = 0
      let ready: (() => void) | undefined
      let open = true
      readers++
      return {
        take() {
          if (cursor === events.length) return []
          const taken = events.slice(cursor)
          cursor = events.length
          return taken
        },
        onReady(callback) {
          if (ready) waiting.delete(ready)
          ready = callback
          if (open) waiting.add(callback)
        },
        close() {
          if (!open) return
          open = false
          readers--
          if (ready) waiting.delete(ready)
        },
      }
    },
    get readers() {
      return readers
    },
    ended,
  }
}
