// The `<think>` splitter: a reasoning model's text, however the frames cut it, becomes its
// thinking (reasoning parts, always first) and its answer (text parts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AnswerPart } from '#server/workers-ai'
import { thinkTagSplitter } from '../../server/workers-ai/think-tags.ts'

/** Feeds `pieces` one by one and returns the parts, and the thinking and text they add up to. */
function split(pieces: string[], startsInside: boolean) {
  const splitter = thinkTagSplitter(startsInside)
  const parts: AnswerPart[] = []
  for (const piece of pieces) splitter.push(piece, parts)
  splitter.end(parts)
  const joined = (type: AnswerPart['type']) => parts.filter(part => part.type === type).map(part => (part as { delta: string }).delta).join('')
  return { parts, reasoning: joined('reasoning-delta'), text: joined('text-delta') }
}

/** `text` cut at `cuts` (positions, in any order). */
function cutAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map(cut => cut % (text.length + 1)))].sort((a, b) => a - b)
  return [0, ...points].map((from, i) => text.slice(from, [...points, text.length][i])).filter(Boolean)
}

describe('thinkTagSplitter', () => {
  it('splits <think>…</think> off the answer, without the blank lines around the thinking', () => {
    const { parts, reasoning, text } = split(['<think>\nFirst, add.\n</think>\n\nThe sum is **4**.'], false)
    expect(reasoning).toBe('First, add.')
    expect(text).toBe('The sum is **4**.')
    expect(parts.findIndex(part => part.type === 'text-delta')).toBeGreaterThan(parts.findLastIndex(part => part.type === 'reasoning-delta'))
  })

  it('treats text before a lone </think> as thinking when the template opened the tag (R1 distills)', () => {
    expect(split(['Let me see.\n</think>\n\nIt is 4.'], true)).toMatchObject({ reasoning: 'Let me see.', text: 'It is 4.' })
    // An opening tag is accepted all the same.
    expect(split(['<think>Hm.</think>Yes.'], true)).toMatchObject({ reasoning: 'Hm.', text: 'Yes.' })
  })

  it('passes an answer with no thinking through when the model opens its own tags', () => {
    expect(split(['Just the answer, with a </think> in it.'], false)).toMatchObject({ reasoning: '', text: 'Just the answer, with a </think> in it.' })
    expect(split(['<thinking> is not the tag'], false)).toMatchObject({ reasoning: '', text: '<thinking> is not the tag' })
  })

  it('keeps a second <think> in the answer as text', () => {
    expect(split(['<think>a</think>Write <think> tags like this.'], false)).toMatchObject({ reasoning: 'a', text: 'Write <think> tags like this.' })
  })

  it('streams the thinking before the closing tag arrives', () => {
    const splitter = thinkTagSplitter(true)
    const parts: AnswerPart[] = []
    splitter.push('Step one. Step two', parts)
    expect(parts).toEqual([{ type: 'reasoning-delta', delta: 'Step one. Step two' }])
  })

  it('finds tags cut anywhere by the frames, one character at a time included', () => {
    const whole = '<think>\nWeigh 3 < 4 and </thin k>.\n</think>\n\nAnswer: 3 < 4.'
    const expected = { reasoning: 'Weigh 3 < 4 and </thin k>.', text: 'Answer: 3 < 4.' }
    expect(split([...whole], false)).toMatchObject(expected)
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
      expect(split(cutAt(whole, cuts), false)).toMatchObject(expected)
      expect(split(cutAt(whole.slice('<think>'.length), cuts), true)).toMatchObject(expected)
    }), { numRuns: 500 })
  })

  it('gives the same thinking and answer for any text, however it is cut', () => {
    const piece = fc.constantFrom('<think>', '</think>', '<', '</', 'think', '>', '\n', ' ', 'a', 'b c', '<th', 'k>')
    fc.assert(fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (pieces, cuts, startsInside) => {
      const text = pieces.join('')
      const once = split([text], startsInside)
      const cut = split(cutAt(text, cuts), startsInside)
      expect({ reasoning: cut.reasoning, text: cut.text }).toEqual({ reasoning: once.reasoning, text: once.text })
      // Thinking never follows the answer.
      const firstText = cut.parts.findIndex(part => part.type === 'text-delta')
      if (firstText >= 0) expect(cut.parts.slice(firstText).every(part => part.type === 'text-delta')).toBe(true)
    }), { numRuns: 1000 })
  })

  it('hands on what it held back when the text ends inside the thinking or before a tag completes', () => {
    expect(split(['<think>cut off mid-thought  '], false)).toMatchObject({ reasoning: 'cut off mid-thought', text: '' })
    expect(split(['  <thi'], false)).toMatchObject({ reasoning: '', text: '<thi' })
    expect(split(['thinking </thi'], true)).toMatchObject({ reasoning: 'thinking </thi', text: '' })
  })
})
