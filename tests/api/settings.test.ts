// The user's preferences (the UI language): stored with the user, mirrored into the
// neptun-locale cookie that server rendering reads, brought back by every log-in.
import { describe, expect, inject, it } from 'vitest'
import { ERRORS, LOCALE_COOKIE, type UserSettings } from '../../shared/contract/index.ts'
import { expectApiError, signUp, uniqueEmail } from '../support/api-client.ts'

const appUrl = inject('appUrl')

/** The neptun-locale Set-Cookie header of a response: its value and attributes, or undefined. */
function localeCookie(res: Response): { value: string, attributes: string[] } | undefined {
  const header = res.headers.getSetCookie().find(cookie => cookie.startsWith(`${LOCALE_COOKIE}=`))
  if (!header) return undefined
  const [pair, ...attributes] = header.split(';').map(part => part.trim())
  return { value: pair!.slice(LOCALE_COOKIE.length + 1), attributes: attributes.map(attribute => attribute.toLowerCase()) }
}

async function settingsOf(user: Awaited<ReturnType<typeof signUp>>): Promise<UserSettings> {
  const res = await user.fetch('/api/settings')
  expect(res.status).toBe(200)
  return res.json() as Promise<UserSettings>
}

function logIn(email: string, password: string, cookie = '') {
  return fetch(`${appUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ email, password }),
  })
}

describe('settings', () => {
  it('start with no language chosen: the browser\'s language decides', async () => {
    const user = await signUp(appUrl)
    expect(await settingsOf(user)).toEqual({ locale: null })
  })

  it('store a chosen language, answer with it, and put it into a readable, year-long cookie', async () => {
    const user = await signUp(appUrl)
    const res = await user.fetch('/api/settings', { method: 'PATCH', body: { locale: 'de' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ locale: 'de' })
    const cookie = localeCookie(res)
    expect(cookie?.value).toBe('de')
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['path=/', 'samesite=lax', `max-age=${60 * 60 * 24 * 365}`]))
    expect(cookie?.attributes).not.toContain('httponly')
    expect(await settingsOf(user)).toEqual({ locale: 'de' })
  })

  it('go back to the browser\'s language with null, and remove the cookie', async () => {
    const user = await signUp(appUrl)
    await user.fetch('/api/settings', { method: 'PATCH', body: { locale: 'de' } })
    const res = await user.fetch('/api/settings', { method: 'PATCH', body: { locale: null } })
    expect(await res.json()).toEqual({ locale: null })
    const cookie = localeCookie(res)
    expect(cookie?.value).toBe('')
    expect(cookie?.attributes.some(attribute => attribute.startsWith('max-age=0') || attribute.startsWith('expires=thu, 01 jan 1970'))).toBe(true)
    expect(await settingsOf(user)).toEqual({ locale: null })
  })

  it('refuse a language the UI does not speak with 400, and keep the stored one', async () => {
    const user = await signUp(appUrl)
    await user.fetch('/api/settings', { method: 'PATCH', body: { locale: 'de' } })
    for (const locale of ['fr', 'DE', '', 42, ['de']]) {
      const res = await user.fetch('/api/settings', { method: 'PATCH', body: { locale } })
      await expectApiError(res, 400, ERRORS.invalidLocale)
      expect(localeCookie(res)).toBeUndefined()
    }
    expect(await settingsOf(user)).toEqual({ locale: 'de' })
  })

  it('leave everything as it is for a body without the field', async () => {
    const user = await signUp(appUrl)
    await user.fetch('/api/settings', { method: 'PATCH', body: { locale: 'de' } })
    const res = await user.fetch('/api/settings', { method: 'PATCH', body: { theme: 'dark' } })
    expect(await res.json()).toEqual({ locale: 'de' })
    expect(localeCookie(res)).toBeUndefined()
  })

  it('need a session: 401 without one', async () => {
    expect((await fetch(`${appUrl}/api/settings`)).status).toBe(401)
    const res = await fetch(`${appUrl}/api/settings`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'de' }) })
    await expectApiError(res, 401, ERRORS.unauthorized)
  })

  it('follow the user to another browser: log-in sets the cookie to the stored language', async () => {
    const user = await signUp(appUrl)
    await user.fetch('/api/settings', { method: 'PATCH', body: { locale: 'de' } })
    const res = await logIn(user.email, user.password)
    expect(res.status).toBe(200)
    expect(localeCookie(res)?.value).toBe('de')
  })

  it('leave a browser\'s own choice alone at log-in when the user has stored none', async () => {
    const user = await signUp(appUrl)
    const res = await logIn(user.email, user.password, `${LOCALE_COOKIE}=de`)
    expect(res.status).toBe(200)
    expect(localeCookie(res)).toBeUndefined()
    expect(await settingsOf(user)).toEqual({ locale: null })
  })

  it('keep the language chosen before signing up, and only a language the UI speaks', async () => {
    for (const [cookie, stored] of [['de', 'de'], ['xx', null]] as const) {
      const res = await fetch(`${appUrl}/api/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cookie': `${LOCALE_COOKIE}=${cookie}` },
        body: JSON.stringify({ email: uniqueEmail('settings'), password: 'correct horse battery' }),
      })
      expect(res.status).toBe(201)
      const session = res.headers.getSetCookie().find(header => header.startsWith('neptun-session='))!.split(';')[0]!
      const settings = await fetch(`${appUrl}/api/settings`, { headers: { cookie: session } })
      expect(await settings.json()).toEqual({ locale: stored })
    }
  })
})
