/**
 * The number, cost, time and date formats of utils/usage-format.ts in the UI's current language.
 *
 * @example
 * const { usd, count } = useLocaleFormat()
 * usd(0.37) // '$0.37' in English, '0,37 $' in German
 */
export function useLocaleFormat() {
  const { localeProperties } = useI18n()
  const locale = () => localeProperties.value.language ?? localeProperties.value.code

  return {
    count: (value: number) => formatCount(value, locale()),
    compact: (value: number) => formatCompact(value, locale()),
    neurons: (value: number) => formatNeurons(value, locale()),
    usd: (value: number) => formatUsd(value, locale()),
    percent: (share: number) => formatPercent(share, locale()),
    duration: (seconds: number) => formatDuration(seconds, locale()),
    time: (date: Date) => formatTime(date, locale()),
    dateTime: (date: Date) => formatDateTime(date, locale()),
  }
}
