// The second language: the browser's language decides, the user's choice overrides it and
// follows them to another browser, API error texts are translated only on screen, dates are
// written the language's way, and only the language in use is loaded. Models, thinking, cost
// and usage speak the language too, with its numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ERRORS } from '../../shared/contract/errors.ts'
import { LOCALE_COOKIE } from '../../shared/contract/locales.ts'
import { FREE_DAILY_NEURONS } from '../../shared/contract/usage.ts'
import { apiUser, appUrl, launchChromium, newContext, open, PASSWORD, reload, uniqueEmail } from './support.ts'
import { thoughtChat } from './a11y/pages.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

const lang = (page: Page) => page.locator('html').getAttribute('lang')

async function chooseInUserMenu(page: Page, language: string): Promise<void> {
  await page.getByTestId('user-menu').first().click()
  await page.getByRole('menuitem', { name: /^(Language|Sprache)$/ }).click()
  await page.getByRole('menuitemcheckbox', { name: language }).click()
}

describe('languages', () => {
  it('follow the browser: German for a German browser, English for an English one', async () => {
    for (const [locale, heading, title, htmlLang] of [['de-DE', 'Willkommen zurück', 'Anmelden · Neptun', 'de-DE'], ['en-GB', 'Welcome back', 'Log in · Neptun', 'en-US'], ['fr-FR', 'Welcome back', 'Log in · Neptun', 'en-US']] as const) {
      const { context, page, pageErrors } = await newContext(browser, { locale })
      try {
        const response = await open(page, '/login')
        // Rendered on the server in that language already, not switched after loading.
        expect(await response!.text()).toContain(heading)
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(heading)
        expect(await page.title()).toBe(title)
        expect(await lang(page)).toBe(htmlLang)
        expect(pageErrors).toEqual([])
      }
      finally {
        await context.close()
      }
    }
  })

  it('translate an API error on screen while the wire keeps the contract\'s text', async () => {
    const { context, page } = await newContext(browser, { locale: 'de-DE' })
    try {
      await open(page, '/login')
      await page.getByTestId('email-input').fill('nobody@example.test')
      await page.getByTestId('password-input').fill('wrong password')
      const [response] = await Promise.all([
        page.waitForResponse(res => res.url().endsWith('/api/auth/login')),
        page.getByTestId('auth-submit').click(),
      ])
      expect(response.status()).toBe(401)
      expect(await response.json()).toEqual({ statusCode: 401, statusMessage: ERRORS.invalidCredentials })
      expect(await page.getByTestId('auth-error').innerText()).toContain('E-Mail oder Passwort ist falsch.')
    }
    finally {
      await context.close()
    }
  })

  it('let the user choose, keep the choice with the user, and bring it to another browser', async () => {
    const user = await apiUser()
    const german = await newContext(browser, { user, locale: 'de-DE' })
    try {
      await open(german.page, '/')
      expect(await german.page.getByTestId('new-chat-button').first().innerText()).toContain('Neuer Chat')
      await chooseInUserMenu(german.page, 'English')
      await expect.poll(() => lang(german.page)).toBe('en-US')
      expect(await german.page.getByTestId('new-chat-button').first().innerText()).toContain('New chat')
      expect(await (await user.fetch('/api/settings')).json()).toEqual({ locale: 'en' })
      await reload(german.page)
      expect(await lang(german.page), 'the choice holds over a reload').toBe('en-US')
      expect(german.pageErrors).toEqual([])
    }
    finally {
      await german.context.close()
    }

    // Another German browser: logging in brings the stored English.
    const other = await newContext(browser, { locale: 'de-DE' })
    try {
      await open(other.page, '/login')
      expect(await lang(other.page)).toBe('de-DE')
      await other.page.getByTestId('email-input').fill(user.email)
      await other.page.getByTestId('password-input').fill(PASSWORD)
      await other.page.getByTestId('auth-submit').click()
      await other.page.waitForURL(`${appUrl()}/`)
      await expect.poll(() => lang(other.page)).toBe('en-US')
      expect(await other.page.getByTestId('new-chat-button').first().innerText()).toContain('New chat')

      // Back to the browser's language: German again, and nothing stored.
      await chooseInUserMenu(other.page, 'Browser language')
      await expect.poll(() => lang(other.page)).toBe('de-DE')
      expect(await (await user.fetch('/api/settings')).json()).toEqual({ locale: null })
      expect((await other.context.cookies()).some(cookie => cookie.name === LOCALE_COOKIE)).toBe(false)
      expect(other.pageErrors).toEqual([])
    }
    finally {
      await other.context.close()
    }
  })

  it('keep a language picked before signing up', async () => {
    const { context, page } = await newContext(browser, { locale: 'en-US' })
    try {
      await open(page, '/signup')
      await page.getByTestId('language-select').click()
      await page.getByRole('option', { name: 'Deutsch' }).click()
      await expect.poll(() => lang(page)).toBe('de-DE')
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Konto erstellen')
      await page.getByTestId('email-input').fill(uniqueEmail('i18n'))
      await page.getByTestId('password-input').fill(PASSWORD)
      await page.getByTestId('auth-submit').click()
      await page.waitForURL(`${appUrl()}/`)
      const settings = await page.evaluate(() => fetch('/api/settings').then(res => res.json()))
      expect(settings).toEqual({ locale: 'de' })
    }
    finally {
      await context.close()
    }
  })

  it('write dates the language\'s way, and load only the messages of the language in use', async () => {
    const user = await apiUser()
    const chat = await user.createChat('Zugfahrt nach Oslo')
    const { context, page } = await newContext(browser, { user, locale: 'de-DE' })
    const loaded: string[] = []
    page.on('request', request => loaded.push(new URL(request.url()).pathname))
    try {
      await open(page, '/')
      await page.waitForLoadState('networkidle')
      const item = page.locator(`[data-testid=chat-item][data-chat-id="${chat.id}"]`).first()
      await item.waitFor()
      expect(await page.getByTestId('chat-group').first().locator('h2').innerText()).toBe('Heute')
      const expected = await page.evaluate(updatedAt => new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(updatedAt)), chat.updatedAt)
      expect(await item.getByTestId('chat-item-link').getAttribute('title')).toBe(`Zuletzt aktiv: ${expected}`)
      expect(expected, 'German order: day, month, year').toMatch(/^\d{2}\.\d{2}\.\d{4}/)

      const messageFiles = loaded.filter(path => path.includes('/_i18n/'))
      expect(messageFiles.some(path => path.includes('/de/'))).toBe(true)
      expect(messageFiles.filter(path => path.includes('/en/')), 'English is not fetched for a German page').toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('show the model picker, the thinking, the cost and the usage page in German, with German numbers', async () => {
    const user = await apiUser()
    const path = await thoughtChat(user, 'short')
    const { context, page, pageErrors } = await newContext(browser, { user, locale: 'de-DE' })
    try {
      await open(page, path)
      const answer = page.locator('[data-testid=message][data-role=assistant]')
      expect(await answer.getByTestId('reasoning-toggle').innerText()).toMatch(/ lang nachgedacht$/)
      // Tokens grouped and the dollar written the German way: "0,0001 $".
      expect(await answer.getByTestId('message-meta').innerText()).toMatch(/^[^·]+ · [\d.]+ Eingabe- \+ [\d.]+ Ausgabe-Tokens · [\d,<\s]+ Neurons · [<\s]*\d+,\d+\s\$$/)

      await page.getByTestId('model-picker').click()
      const panel = page.getByTestId('model-panel')
      expect(await panel.getByRole('heading', { level: 2 }).innerText()).toMatch(/^modell$/i)
      expect(await panel.innerText()).toContain('Denkt nach')
      expect(await panel.innerText()).toMatch(/pro Mio\. Tokens/)
      expect(await page.getByTestId('model-parameters').innerText()).toContain('Kontextfenster')
      await page.keyboard.press('Escape')

      await open(page, '/usage')
      expect(await page.getByTestId('usage-title').innerText()).toBe('Verbrauch')
      expect(await page.getByTestId('usage-today-figures').innerText()).toMatch(new RegExp(`von ${new Intl.NumberFormat('de-DE').format(FREE_DAILY_NEURONS)} Neurons · .*\\$$`))
      expect(await page.locator('[data-testid=usage-table-today] th[scope=col]').allInnerTexts()).toContain('Eingabe-Tokens')
      expect(await page.getByTestId('usage-today').locator('time').innerText()).toMatch(/^\d{2}:\d{2}$/)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
