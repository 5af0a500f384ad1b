import { DEFAULT_LOCALE, isLocaleCode, LOCALE_COOKIE, LOCALES, type LocaleCode } from '#shared/contract/locales'

const ONE_YEAR_S = 60 * 60 * 24 * 365

/**
 * The language the user chose in this browser (the neptun-locale cookie), or null: follow the
 * browser. The server may have set the cookie since the page loaded (logging in brings the
 * user's stored choice), so the browser reads the live cookie.
 */
export function readLocaleChoice(): LocaleCode | null {
  const value = import.meta.client
    ? document.cookie.split('; ').find(pair => pair.startsWith(`${LOCALE_COOKIE}=`))?.slice(LOCALE_COOKIE.length + 1)
    : useCookie(LOCALE_COOKIE).value
  return isLocaleCode(value) ? value : null
}

/** The chosen language as page state, shared with plugins/locale.ts. */
export function useLocaleChoice() {
  return useState<LocaleCode | null>('locale-choice', readLocaleChoice)
}

/**
 * The UI language: the browser's by default, or the one the user chose. A signed-in user's
 * choice is stored with the user (PATCH /api/settings), so it follows them to other browsers;
 * the cookie carries it to server rendering.
 *
 * @example
 * const { chosen, choose } = useLocalePreference()
 * await choose('de')   // German from now on
 * await choose(null)   // the browser's language again
 */
export function useLocalePreference() {
  const { locale, setLocale, getBrowserLocale } = useI18n()
  const { loggedIn } = useUserSession()
  const chosen = useLocaleChoice()
  const cookie = useCookie<LocaleCode | null>(LOCALE_COOKIE, { path: '/', sameSite: 'lax', maxAge: ONE_YEAR_S })

  async function apply(): Promise<void> {
    const browser = getBrowserLocale()
    await setLocale(chosen.value ?? (isLocaleCode(browser) ? browser : DEFAULT_LOCALE))
  }

  async function choose(code: LocaleCode | null): Promise<void> {
    if (loggedIn.value) await $fetch('/api/settings', { method: 'PATCH', body: { locale: code } })
    cookie.value = code
    chosen.value = code
    await apply()
  }

  /** After logging in: the server has put the user's stored choice into the cookie. */
  async function adoptStoredChoice(): Promise<void> {
    const stored = readLocaleChoice()
    if (!stored || stored === chosen.value) return
    chosen.value = stored
    await apply()
  }

  return { locale, chosen, choose, adoptStoredChoice, locales: LOCALES }
}
