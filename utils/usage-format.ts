/**
 * How costs, token counts and durations read in the UI, in the user's language: `locale` is a
 * BCP 47 tag such as 'de-DE' (`localeProperties.language`; components use `useLocaleFormat()`).
 */

const formats = new Map<string, Intl.NumberFormat>()

/** Intl.NumberFormat is costly to build and answers render many numbers: one per locale and options. */
function numberFormat(locale: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${locale} ${JSON.stringify(options)}`
  let format = formats.get(key)
  if (!format) formats.set(key, format = new Intl.NumberFormat(locale, options))
  return format
}

/** 12,345 (en-US), 12.345 (de-DE) */
export function formatCount(value: number, locale: string): string {
  return numberFormat(locale).format(Math.round(value))
}

/** A token count at a glance: 131K (en-US), 131.072 (de-DE, which does not shorten thousands). */
export function formatCompact(value: number, locale: string): string {
  return numberFormat(locale, { notation: 'compact' }).format(value)
}

/** Neurons with enough digits to tell small answers apart: 0.42, 12.3, 1,234. */
export function formatNeurons(value: number, locale: string): string {
  if (value === 0) return numberFormat(locale).format(0)
  if (value < 0.01) return `< ${numberFormat(locale).format(0.01)}`
  return numberFormat(locale, { maximumFractionDigits: value < 10 ? 2 : value < 100 ? 1 : 0 }).format(value)
}

/** US dollars to two significant digits below a cent: $0.00014, $0.37, $12.40 (en-US); 0,37 $ (de-DE). */
export function formatUsd(value: number, locale: string): string {
  const usd = (options: Intl.NumberFormatOptions) => numberFormat(locale, { style: 'currency', currency: 'USD', ...options })
  if (value === 0) return usd({ maximumFractionDigits: 0 }).format(0)
  if (value < 0.000001) return `< ${usd({ maximumSignificantDigits: 1 }).format(0.000001)}`
  return value < 0.01
    ? usd({ maximumSignificantDigits: 2 }).format(value)
    : usd({ minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)
}

/** A share as a percentage: 0.42 → 42% (en-US), 42 % (de-DE). */
export function formatPercent(share: number, locale: string): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share)
}

/**
 * A duration of at least a second, as people say it, with the language's own plurals:
 * "4 seconds", "1 minute 5 seconds" (en-US); "4 Sekunden", "1 Minute, 5 Sekunden" (de-DE).
 */
export function formatDuration(seconds: number, locale: string): string {
  const whole = Math.max(1, Math.round(seconds))
  const unit = (name: 'minute' | 'second', value: number) => numberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'long' }).format(value)
  if (whole < 60) return unit('second', whole)
  const minutes = Math.floor(whole / 60)
  const rest = whole % 60
  const parts = rest ? [unit('minute', minutes), unit('second', rest)] : [unit('minute', minutes)]
  return new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' }).format(parts)
}

/** A time of day, in the user's language and the browser's time zone: 1:00 AM (en-US), 01:00 (de-DE). */
export function formatTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date)
}

/** A date and time, short, in the user's language and the browser's time zone: Jan 5, 2026, 1:00 PM (en-US). */
export function formatDateTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}
