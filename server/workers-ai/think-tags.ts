import type { AnswerPart } from './parts.ts'

const OPEN = '<think>'
const CLOSE = '</think>'

type Phase = 'before' | 'thinking' | 'answer-start' | 'answer'

/** Splits a model's text into its thinking and its answer, as the text streams. */
export interface ThinkTagSplitter {
  /** Reads the next piece of text; the parts it makes are pushed onto `out`. */
  push: (text: string, out: AnswerPart[]) => void
  /** The text has ended: what was held back goes out. */
  end: (out: AnswerPart[]) => void
}

/**
 * The thinking of a model that writes it into its answer text: `<think>…</think>`, then the
 * answer. A small state machine over the characters, so a tag split across frames is still
 * found and no pattern ever runs over model text. Blank lines around the thinking are dropped;
 * the answer after it is passed on as written. With `startsInside`, text that does not begin
 * with `<think>` is thinking until `</think>` (the R1 distills' template opens the tag itself).
 *
 * @example const splitter = thinkTagSplitter(true); splitter.push('Hmm.</thi', out); splitter.push('nk>\n\nHi', out)
 */
export function thinkTagSplitter(startsInside: boolean): ThinkTagSplitter {
  let phase: Phase = 'before'
  /** Thinking has been handed on: blanks are no longer leading ones. */
  let thought = false
  /** Text not yet handed on: leading blanks, a tag that may be arriving, trailing blanks of the thinking. */
  let held = ''

  function think(text: string, out: AnswerPart[]): void {
    held = thought ? held + text : (held + text).trimStart()
    const close = held.indexOf(CLOSE)
    if (close >= 0) {
      emit(out, 'reasoning-delta', held.slice(0, close).trimEnd())
      const rest = held.slice(close + CLOSE.length)
      held = ''
      phase = 'answer-start'
      answer(rest, out)
      return
    }
    // Keep back what could be the start of `</think>`, and trailing blanks (they may be the
    // blank line before it); the rest is thinking.
    const sure = held.slice(0, held.length - partialTagLength(held, CLOSE)).trimEnd()
    if (sure) thought = true
    emit(out, 'reasoning-delta', sure)
    held = held.slice(sure.length)
  }

  function answer(text: string, out: AnswerPart[]): void {
    if (phase === 'answer-start') {
      text = text.trimStart()
      if (!text) return
      phase = 'answer'
    }
    emit(out, 'text-delta', text)
  }

  return {
    push(text, out) {
      if (phase === 'thinking') return think(text, out)
      if (phase !== 'before') return answer(text, out)
      held += text
      const start = held.trimStart()
      if (!start) return
      if (start.startsWith(OPEN)) {
        phase = 'thinking'
        held = ''
        think(start.slice(OPEN.length).trimStart(), out)
      }
      else if (OPEN.startsWith(start)) {
        // Only part of `<think>` so far: wait for the rest.
      }
      else if (startsInside) {
        phase = 'thinking'
        held = ''
        think(start, out)
      }
      else {
        phase = 'answer'
        held = ''
        emit(out, 'text-delta', start)
      }
    },
    end(out) {
      if (phase === 'thinking') emit(out, 'reasoning-delta', held.trimEnd())
      else if (phase === 'before') emit(out, 'text-delta', held.trimStart())
      held = ''
    },
  }
}

function emit(out: AnswerPart[], type: 'text-delta' | 'reasoning-delta', delta: string): void {
  if (delta) out.push({ type, delta })
}

/** The length of the longest end of `text` that begins `tag` (a tag cut off by the frame). */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(text.length, tag.length - 1); length > 0; length--) {
    if (tag.startsWith(text.slice(text.length - length))) return length
  }
  return 0
}
