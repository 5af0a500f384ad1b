// Counts, costs, durations and times as each language writes them (the figures of the thinking
// block, cost on hover, the model picker and the usage page).
import { describe, expect, it } from 'vitest'
import { formatCompact, formatCount, formatDuration, formatNeurons, formatPercent, formatTime, formatUsd } from '../../utils/usage-format.ts'

/** Intl may write a narrow no-break space between number and unit: compare with plain spaces. */
const plain = (text: string) => text.replace(/[\u00A0\u202F]/g, ' ')

describe('usage figures', () => {
  it('group thousands and mark decimals the way each language does', () => {
    expect(formatCount(12_345.4, 'en-US')).toBe('12,345')
    expect(formatCount(12_345.4, 'de-DE')).toBe('12.345')
    expect(formatNeurons(102.9, 'en-US')).toBe('103')
    expect(formatNeurons(9.333, 'en-US')).toBe('9.33')
    expect(formatNeurons(9.333, 'de-DE')).toBe('9,33')
    expect(formatNeurons(0.004, 'de-DE')).toBe('< 0,01')
    expect(formatNeurons(0, 'de-DE')).toBe('0')
  })

  it('write dollars with the currency where each language puts it, to two significant digits below a cent', () => {
    expect(formatUsd(0.00113, 'en-US')).toBe('$0.0011')
    expect(plain(formatUsd(0.00113, 'de-DE'))).toBe('0,0011 $')
    expect(formatUsd(12.4, 'en-US')).toBe('$12.40')
    expect(plain(formatUsd(1234.5, 'de-DE'))).toBe('1.234,50 $')
    expect(formatUsd(0, 'en-US')).toBe('$0')
    expect(formatUsd(0.0000001, 'en-US')).toBe('< $0.000001')
  })

  it('shorten context windows where the language does, and write shares as percentages', () => {
    expect(formatCompact(131_072, 'en-US')).toBe('131K')
    expect(formatCompact(131_072, 'de-DE')).toBe('131.072')
    expect(formatPercent(0.42, 'en-US')).toBe('42%')
    expect(plain(formatPercent(0.42, 'de-DE'))).toBe('42 %')
  })

  it('say durations with the language\'s own plurals', () => {
    expect(formatDuration(1, 'en-US')).toBe('1 second')
    expect(formatDuration(4.2, 'en-US')).toBe('4 seconds')
    expect(formatDuration(65, 'en-US')).toBe('1 minute 5 seconds')
    expect(formatDuration(120, 'en-US')).toBe('2 minutes')
    expect(formatDuration(1, 'de-DE')).toBe('1 Sekunde')
    expect(formatDuration(4.2, 'de-DE')).toBe('4 Sekunden')
    expect(formatDuration(121, 'de-DE')).toMatch(/^2 Minuten,? 1 Sekunde$/)
  })

  it('write a time of day the way each language does', () => {
    const date = new Date(2026, 0, 2, 13, 5)
    expect(plain(formatTime(date, 'en-US'))).toBe('01:05 PM')
    expect(formatTime(date, 'de-DE')).toBe('13:05')
  })
})
