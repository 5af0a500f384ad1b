import type { AnswerPart } from '../workers-ai/index.ts'

/** An answer's text and thinking as far as they have arrived, and how long the thinking took. */
export interface AnswerSoFar {
  add: (part: AnswerPart) => void
  readonly content: string
  /** The thinking, without the blank lines around it; '' for an answer without thinking. */
  readonly reasoning: string
  /** From the first thought to the first word of the answer (or to now, if none came). */
  readonly reasoningMs: number | undefined
}

/**
 * Collects an answer's parts as they stream: what is stored when it ends, however it ends.
 *
 * @example const soFar = answerSoFar(); soFar.add({ type: 'text-delta', delta: 'Hi' }); soFar.content // 'Hi'
 */
export function answerSoFar(): AnswerSoFar {
  let content = ''
  let reasoning = ''
  let thinkingFrom: number | undefined
  let thinkingUntil: number | undefined
  return {
    add(part) {
      if (part.type === 'text-delta') {
        if (thinkingFrom !== undefined) thinkingUntil ??= Date.now()
        content += part.delta
      }
      else if (part.type === 'reasoning-delta') {
        thinkingFrom ??= Date.now()
        reasoning += part.delta
      }
    },
    get content() {
      return content
    },
    get reasoning() {
      return reasoning.trim()
    },
    get reasoningMs() {
      return thinkingFrom === undefined ? undefined : (thinkingUntil ?? Date.now()) - thinkingFrom
    },
  }
}
