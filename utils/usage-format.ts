/** How costs and token counts read in the UI (English number formatting). */

const integer = new Intl.NumberFormat('en-US')

/** 12,345 */
export function formatCount(value: number): string {
  return integer.format(Math.round(value))
}

/** Neurons with enough digits to tell small answers apart: 0.42, 12.3, 1,234. */
export function formatNeurons(value: number): string {
  if (value === 0) return '0'
  if (value < 0.01) return '< 0.01'
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: value < 10 ? 2 : value < 100 ? 1 : 0 }).format(value)
}

/** US dollars to two significant digits below a cent: $0.00014, $0.37, $12.40. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0'
  if (value < 0.000001) return '< $0.000001'
  const options: Intl.NumberFormatOptions = value < 0.01
    ? { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 }
    : { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }
  return new Intl.NumberFormat('en-US', options).format(value)
}

/** Seconds of thinking, as people say them: "less than a second", "4 seconds", "1 minute 5 seconds". */
export function formatThinkingTime(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 1) return 'less than a second'
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  return `${minutes} minute${minutes === 1 ? '' : 's'}${rest ? ` ${rest} second${rest === 1 ? '' : 's'}` : ''}`
}
