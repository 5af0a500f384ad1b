import { eq } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { isLocaleCode, LOCALE_COOKIE, type LocaleCode, type UserSettings } from '#shared/contract'

const { users } = tables
const ONE_YEAR_S = 60 * 60 * 24 * 365

/**
 * The user's stored preferences. A language that is no longer offered reads as null, so the
 * browser's language takes over.
 *
 * @example const { locale } = await readUserSettings(user.id)
 */
export async function readUserSettings(userId: number): Promise<UserSettings> {
  const db = await useDb()
  const [row] = await db.select({ locale: users.locale }).from(users).where(eq(users.id, userId))
  return { locale: isLocaleCode(row?.locale) ? row.locale : null }
}

/** Stores the fields given (undefined leaves a field as it is) and returns the settings as stored. */
export async function updateUserSettings(userId: number, patch: Partial<UserSettings>): Promise<UserSettings> {
  const values = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined))
  if (Object.keys(values).length === 0) return readUserSettings(userId)
  const db = await useDb()
  const [row] = await db.update(users).set(values).where(eq(users.id, userId)).returning({ locale: users.locale })
  return { locale: isLocaleCode(row?.locale) ? row.locale : null }
}

/**
 * Mirrors a language choice into the cookie the UI reads while rendering (readable by the page:
 * it is not a secret); null removes it, and the browser's language decides again.
 *
 * @example sendLocaleCookie(event, 'de')
 */
export function sendLocaleCookie(event: H3Event, locale: LocaleCode | null): void {
  if (locale) setCookie(event, LOCALE_COOKIE, locale, { path: '/', sameSite: 'lax', maxAge: ONE_YEAR_S })
  else deleteCookie(event, LOCALE_COOKIE, { path: '/', sameSite: 'lax' })
}

/** The language chosen in this browser before signing up, if any. */
export function localeFromCookie(event: H3Event): LocaleCode | null {
  const value = getCookie(event, LOCALE_COOKIE)
  return isLocaleCode(value) ? value : null
}
