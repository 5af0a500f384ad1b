// Helpers for the browser tests: one Chromium per file, a fresh context per test, users signed
// up through the UI or the API, and readers for what the message list shows.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, inject } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ROOT } from '../../harness/app-server.ts'
import { signUp, uniqueEmail, type TestUser } from '../support/api-client.ts'

export { launchChromium } from '../../harness/browser.ts'
export { emulatorControl } from '../../emulator/client.ts'
export { signUp, uniqueEmail, directive, readUiStream, sleep, type TestUser } from '../support/api-client.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string
    emulatorUrl: string
  }
}

export const appUrl = (): string => inject('appUrl')
export const emulatorUrl = (): string => inject('emulatorUrl')

export const PASSWORD = 'correct horse battery'
export const ARTIFACTS = join(ROOT, 'tests/artifacts/e2e')

/** Saves a screenshot of the page's current state to tests/artifacts/e2e/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
}

export interface ContextOptions {
  /** Signed-in user whose cookie the context gets. */
  user?: TestUser
  viewport?: { width: number, height: number }
  mobile?: boolean
  /** Device pixels per CSS pixel (zoom); `mobile` implies 2. */
  deviceScaleFactor?: number
  /** The browser's language (navigator.language and Accept-Language), e.g. 'de-DE'. */
  locale?: string
  colorScheme?: 'light' | 'dark'
  reducedMotion?: 'reduce' | 'no-preference'
  forcedColors?: 'active' | 'none'
}

/**
 * A fresh context. Page errors are collected (see `pageErrors`) and a `beforeunload` prompt is
 * accepted, so reloads never hang; any other dialog (alert, confirm, prompt) is recorded in
 * `dialogs` and dismissed, and tests assert it stays empty where they expect none.
 */
export async function newContext(browser: Browser, options: ContextOptions = {}) {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: options.reducedMotion ?? 'no-preference',
    forcedColors: options.forcedColors ?? 'none',
    ...(options.deviceScaleFactor ? { deviceScaleFactor: options.deviceScaleFactor } : {}),
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  })
  if (options.user) await addSession(context, options.user)
  const dialogs: string[] = []
  const pageErrors: string[] = []
  const cspViolations: string[] = []
  context.on('page', page => watchPage(page, dialogs, pageErrors, cspViolations))
  const page = await context.newPage()
  return { context, page, dialogs, pageErrors, cspViolations }
}

function watchPage(page: Page, dialogs: string[], pageErrors: string[], cspViolations: string[]): void {
  page.on('pageerror', error => pageErrors.push(error.message))
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') return void dialog.accept()
    dialogs.push(`${dialog.type()}: ${dialog.message()}`)
    return void dialog.dismiss()
  })
}

/** Gives the context the user's session cookie. */
export async function addSession(context: BrowserContext, user: TestUser): Promise<void> {
  const value = user.cookie.slice(user.cookie.indexOf('=') + 1)
  await context.addCookies([{ name: 'neptun-session', value, url: appUrl() }])
}

/** Waits until Nuxt has hydrated the page, so typing and clicking reach Vue's handlers. */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const app = (document.querySelector('#__nuxt') as { __vue_app__?: { config: { globalProperties: { $nuxt?: { isHydrating?: boolean } } } } } | null)?.__vue_app__
    return app?.config.globalProperties.$nuxt?.isHydrating === false
  })
}

/** Opens a path of the app and waits for hydration. */
export async function open(page: Page, path: string) {
  const response = await page.goto(`${appUrl()}${path}`)
  await hydrated(page)
  return response
}

/** A user created through the API (for tests that are not about signing up). */
export function apiUser(): Promise<TestUser> {
  return signUp(appUrl(), uniqueEmail('e2e'), PASSWORD)
}

/** Signs up through the /signup page and waits for the new-chat page. */
export async function signUpInBrowser(page: Page, email = uniqueEmail('e2e-ui')): Promise<string> {
  await open(page, '/signup')
  await page.getByTestId('auth-form').waitFor()
  await page.getByTestId('email-input').fill(email)
  await page.getByTestId('password-input').fill(PASSWORD)
  await page.getByTestId('auth-submit').click()
  await page.waitForURL(`${appUrl()}/`)
  await page.getByTestId('composer-input').waitFor()
  return email
}

/** Types a message into the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input')
  await input.fill(text)
  await input.press('Enter')
}

/** From the new-chat page: sends the first message and waits for /chat/<id>; returns the id. */
export async function startChat(page: Page, text: string): Promise<number> {
  await send(page, text)
  await page.waitForURL(/\/chat\/\d+$/)
  return Number(new URL(page.url()).pathname.split('/').pop())
}

export interface ShownMessage {
  role: string
  status: string
  /** The rendered content (markdown as text for answers), without the action row. */
  text: string
}

/** What the message list shows, in order. */
export function shownMessages(page: Page): Promise<ShownMessage[]> {
  return page.locator('[data-testid=message]').evaluateAll(elements => elements.map((element) => {
    const el = element as HTMLElement
    const body = el.dataset.role === 'assistant'
      ? el.querySelector<HTMLElement>('.chat-markdown')
      : el.querySelector<HTMLElement>('.whitespace-pre-wrap')
    return { role: el.dataset.role ?? '', status: el.dataset.status ?? '', text: (body?.innerText ?? '').trim() }
  }))
}

/**
 * Waits until `count` messages are shown, the last one is an answer that is no longer streaming,
 * and the stop button is gone.
 */
export async function waitForAnswer(page: Page, count: number, timeout = 20_000): Promise<ShownMessage[]> {
  await page.waitForFunction((expected) => {
    const messages = [...document.querySelectorAll<HTMLElement>('[data-testid=message]')]
    const last = messages.at(-1)
    return messages.length === expected && last?.dataset.role === 'assistant'
      && last.dataset.status !== 'streaming' && !document.querySelector('[data-testid=stop-button]')
  }, count, { timeout })
  return shownMessages(page)
}

/** Reloads the page and waits for hydration and for the page's requests to settle. */
export async function reload(page: Page): Promise<void> {
  await page.reload()
  await hydrated(page)
  await page.waitForLoadState('networkidle')
}

/** The stored chat, read through the public API with the user's cookie. */
export async function storedChat(user: TestUser, chatId: number) {
  const res = await user.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return await res.json() as { id: number, title: string, messages: { id: number, role: string, content: string, status: string }[] }
}

export async function chatList(user: TestUser): Promise<{ id: number, title: string }[]> {
  const res = await user.fetch('/api/chats')
  expect(res.status).toBe(200)
  return await res.json() as { id: number, title: string }[]
}
