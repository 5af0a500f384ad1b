/**
 * The languages of the UI. To add one, add it here and give it a message file,
 * `i18n/locales/<code>.json` (the README says how). The browser's language picks one by default;
 * a user's choice is stored with the user (`PATCH /api/settings`) and travels in the
 * `neptun-locale` cookie, which exists only while the user has chosen.
 */
export const LOCALES = [
  { code: 'en', language: 'en-US', name: 'English' },
  { code: 'de', language: 'de-DE', name: 'Deutsch' },
] as const

export type LocaleCode = (typeof LOCALES)[number]['code']

export const LOCALE_CODES = LOCALES.map(locale => locale.code) as [LocaleCode, ...LocaleCode[]]

/** When the browser asks for none of LOCALES. */
export const DEFAULT_LOCALE: LocaleCode = 'en'

/** Holds the user's explicit choice; absent means "follow the browser". */
export const LOCALE_COOKIE = 'neptun-locale'

export function isLocaleCode(value: unknown): value is LocaleCode {
  return typeof value === 'string' && (LOCALE_CODES as string[]).includes(value)
}
