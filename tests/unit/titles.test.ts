import { describe, expect, it } from 'vitest'
import { cleanTitle } from '../../shared/contract/titles.ts'

describe('cleanTitle', () => {
  it.each([
    ['Tides and the Moon', 'Tides and the Moon'],
    ['"Tides and the Moon."', 'Tides and the Moon'],
    ['“Gezeiten und Mond”!', 'Gezeiten und Mond'],
    ['**Title:** Tides and the Moon', 'Tides and the Moon'],
    ['Title: «La marée»', 'La marée'],
    ['<think>The user asks about tides.</think>\n\nTides Explained', 'Tides Explained'],
    ['the user asks about tides, so\n</think>\nTides Explained', 'Tides Explained'],
    ['\n\n  Tides   Explained  \nThis title covers…', 'Tides Explained'],
    ['# Tides Explained?', 'Tides Explained'],
    ['one two three four five six seven eight nine ten', 'one two three four five six seven eight'],
  ])('%j → %j', (raw, title) => {
    expect(cleanTitle(raw)).toBe(title)
  })

  it('caps the length at a word', () => {
    const title = cleanTitle('Supercalifragilistic expialidocious antidisestablishmentarianism pneumonoultramicroscopic')!
    expect(title.length).toBeLessThanOrEqual(60)
    expect(title).toBe('Supercalifragilistic expialidocious')
  })

  it.each(['', '   ', '""', '<think>only thinking', '…', '\n\n'])('gives nothing usable for %j', (raw) => {
    expect(cleanTitle(raw)).toBeUndefined()
  })
})
