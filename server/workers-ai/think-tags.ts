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
  /** Before anything is known: the start of the text, which may be an arriving `<think>`. */
  let opening = ''
  /** Blanks at the end of the thinking so far, held back: they may be the blank line before `</think>`. */
  let blanks = ''
  /** The end of the thinking so far that may be the start of `</think>`. */
  let tag = ''

  // Each piece is looked at once, beside at most a tag's length held back from the one before:
  // a long run of blanks is appended to, never scanned again, so the work stays linear.
  function think(text: string, out: AnswerPart[]): void {
    const fresh = thought ? tag + text : (tag + text).trimStart()
    tag = ''
    const close = fresh.indexOf(CLOSE)
    if (close >= 0) {
      emit(out, 'reasoning-delta', (blanks + fresh.slice(0, close)).trimEnd())
      blanks = ''
      phase = 'answer-start'
      answer(fresh.slice(close + CLOSE.length), out)
      return
    }
    tag = fresh.slice(fresh.length - partialTagLength(fresh, CLOSE))
    const body = fresh.slice(0, fresh.length - tag.length)
    const sure = body.trimEnd()
    if (sure) {
      emit(out, 'reasoning-delta', blanks + sure)
      thought = true
      blanks = body.slice(sure.length)
    }
    else if (thought) {
      blanks += body
    }
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
      // Leading blanks are never handed on, so they are not kept either.
      const start = opening = (opening + text).trimStart()
      if (!start) return
      if (start.startsWith(OPEN)) {
        phase = 'thinking'
        opening = ''
        think(start.slice(OPEN.length).trimStart(), out)
      }
      else if (OPEN.startsWith(start)) {
        // Only part of `<think>` so far: wait for the rest.
      }
      else if (startsInside) {
        phase = 'thinking'
        opening = ''
        think(start, out)
      }
      else {
        phase = 'answer'
        opening = ''
        emit(out, 'text-delta', start)
      }
    },
    end(out) {
      if (phase === 'thinking') emit(out, 'reasoning-delta', (blanks + tag).trimEnd())
      else if (phase === 'before') emit(out, 'text-delta', opening)
      opening = blanks = tag = ''
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
