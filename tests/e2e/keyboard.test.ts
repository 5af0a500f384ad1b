// Without a mouse: one journey from sign-up to deleting the chat, the skip link, the shortcuts
// dialog, a model's thinking, and a visible focus on every stop of the chat page's tab order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  apiUser, appUrl, chatList, directive, emulatorControl, emulatorUrl, launchChromium, newContext, open, PASSWORD,
  shot, shownMessages, storedChat, uniqueEmail, waitForAnswer,
} from './support.ts'
import { focusDocumentStart, focused, tabTo, type Focused } from './a11y/keyboard.ts'
import { savedChat, thoughtChat, LONG_MARKDOWN_ANSWER } from './a11y/pages.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** Transitions off, so a focus ring is measured as it ends up, not halfway in. */
const KEYBOARD_CONTEXT = { reducedMotion: 'reduce' } as const

function expectShown(stops: Focused[]): void {
  // A lost stop names the one before it: focus went to <body> from there.
  const described = (stop: Focused | undefined) => stop ? `${stop.tag}[${stop.testid ?? ''}] ${stop.lost ? '(lost)' : stop.name}` : 'the start'
  const hidden = stops.flatMap((stop, at) => stop.lost || !stop.indicated ? [`stop ${at + 1}: ${described(stop)} after ${described(stops[at - 1])}`] : [])
  expect(hidden, 'every stop has a visible focus indicator').toEqual([])
}

async function expectFocusOn(page: Page, testid: string): Promise<void> {
  await expect.poll(async () => (await focused(page)).testid, { timeout: 5000 }).toBe(testid)
}

/** Tab presses that stay inside the open dialog. */
async function expectFocusTrapped(page: Page, presses = 6): Promise<void> {
  for (let press = 0; press < presses; press++) {
    await page.keyboard.press(press % 2 ? 'Shift+Tab' : 'Tab')
    expect((await focused(page)).inDialog, `press ${press + 1} stays in the dialog`).toBe(true)
  }
}

describe('keyboard only', () => {
  it('signs up, chats, stops, regenerates, renames and deletes the chat without the mouse', async () => {
    const emulator = emulatorControl(emulatorUrl())
    const { context, page, pageErrors, dialogs } = await newContext(browser, KEYBOARD_CONTEXT)
    try {
      // Sign up: the email field has focus when the page opens.
      const email = uniqueEmail('keyboard')
      await open(page, '/signup')
      await expectFocusOn(page, 'email-input')
      await page.keyboard.type(email)
      expectShown(await tabTo(page, '[data-testid=password-input] input, input[data-testid=password-input]'))
      await page.keyboard.type(PASSWORD)
      await page.keyboard.press('Enter')
      await page.waitForURL(`${appUrl()}/`)

      // Chat: the composer has focus; Enter sends.
      await expectFocusOn(page, 'composer-input')
      await page.keyboard.type(`Tell me a long story ${directive('long:400')}`)
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/chat\/\d+$/)
      const chatId = Number(new URL(page.url()).pathname.split('/').pop())
      await page.waitForFunction(() => (document.querySelector('[data-testid=message][data-role=assistant] .chat-markdown')?.textContent ?? '').split(' ').length > 8)

      // Stop: Esc.
      await page.keyboard.press('Escape')
      await page.locator('[data-testid=message][data-role=assistant][data-status=aborted]').waitFor()
      expect((await shownMessages(page)).map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:aborted'])
      expect((await focused(page)).lost, 'focus stays on the page after stopping').toBe(false)

      // Regenerate: Shift+Tab back from the composer to the answer's button, then Enter.
      await page.keyboard.press('Shift+Escape')
      await expectFocusOn(page, 'composer-input')
      await emulator.enqueue({ reply: 'A regenerated answer, typed by no mouse.' })
      expectShown(await tabTo(page, '[data-testid=regenerate-button]', { backwards: true }))
      await page.keyboard.press('Enter')
      await expectFocusOn(page, 'composer-input')
      await page.waitForFunction(() => document.querySelector('[data-testid=message][data-role=assistant] .chat-markdown')?.textContent?.includes('regenerated'), null, { timeout: 20_000 })
      const regenerated = await waitForAnswer(page, 2)
      expect(regenerated[1]).toMatchObject({ status: 'complete', text: 'A regenerated answer, typed by no mouse.' })

      // Rename: to the chat's menu in the sidebar, Enter, the first item, type, Enter.
      expectShown(await tabTo(page, `[data-testid=chat-item][data-chat-id="${chatId}"] [data-testid=chat-item-menu]`, { backwards: true, max: 60 }))
      await page.keyboard.press('Enter')
      await page.getByRole('menuitem').first().waitFor()
      expect((await focused(page)).lost, 'the menu takes focus').toBe(false)
      await page.keyboard.press('Enter')
      await expectFocusOn(page, 'rename-input')
      expect((await focused(page)).inDialog).toBe(true)
      await expectFocusTrapped(page)
      await page.getByTestId('rename-input').focus()
      await page.keyboard.press('ControlOrMeta+a')
      await page.keyboard.type('Renamed by keyboard')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
      await expectFocusOn(page, 'chat-item-menu')
      expect((await storedChat(await asUser(email), chatId)).title).toBe('Renamed by keyboard')

      // Delete: the menu again, End to Delete (the last item), Enter; in the dialog, Tab to Delete, Enter.
      await page.keyboard.press('Enter')
      await page.getByRole('menuitem').first().waitFor()
      await page.keyboard.press('End')
      await page.keyboard.press('Enter')
      await page.getByTestId('delete-confirm').waitFor()
      expect((await focused(page)).inDialog, 'the dialog takes focus').toBe(true)
      await expectFocusTrapped(page)
      expectShown(await tabTo(page, '[data-testid=delete-confirm]', { max: 6 }))
      await shot(page, 'keyboard-delete-dialog')
      await page.keyboard.press('Enter')
      await page.waitForURL(`${appUrl()}/`)
      await expectFocusOn(page, 'composer-input')
      expect(await chatList(await asUser(email))).toEqual([])

      expect(dialogs).toEqual([])
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('skips to the composer from the first Tab, and opens the shortcuts dialog with ? and Ctrl+/', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user, ...KEYBOARD_CONTEXT })
    try {
      await open(page, await savedChat(user, LONG_MARKDOWN_ANSWER))
      await page.getByTestId('skip-link').waitFor({ state: 'attached' })
      await focusDocumentStart(page)
      await page.keyboard.press('Tab')
      const first = await focused(page)
      expect(first.testid).toBe('skip-link')
      expect(first.indicated).toBe(true)
      expect(await page.getByTestId('skip-link').isVisible(), 'the skip link shows when focused').toBe(true)
      await page.keyboard.press('Enter')
      await expectFocusOn(page, 'composer-input')
      expect(new URL(page.url()).hash).toBe('')

      // Ctrl+/ works while typing; the dialog lists the shortcuts and gives focus back when it closes.
      await page.keyboard.press('Control+/')
      const dialog = page.getByRole('dialog')
      await dialog.waitFor()
      expect(await dialog.getByTestId('shortcuts-list').innerText()).toMatch(/stop the answer/i)
      expect((await focused(page)).inDialog).toBe(true)
      await expectFocusTrapped(page, 4)
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.count()).toBe(0)
      await expectFocusOn(page, 'composer-input')

      // ? outside a text field; in the composer it is just a question mark.
      await page.keyboard.type('Why?')
      expect(await page.getByRole('dialog').count()).toBe(0)
      await page.keyboard.press('Shift+Tab')
      await page.keyboard.press('?')
      await dialog.waitFor()
      await page.keyboard.press('Escape')
      await expect.poll(() => dialog.count()).toBe(0)
      expect((await focused(page)).lost, 'focus goes back to where it was').toBe(false)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('reaches every other action too: edit (Esc gives focus back), copy, model, export, theme, switch and new chat', async () => {
    const user = await apiUser()
    const other = await user.createChat('The other chat')
    const { context, page, pageErrors } = await newContext(browser, { user, ...KEYBOARD_CONTEXT })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appUrl() })
    try {
      const path = await savedChat(user, 'A short answer.')
      await open(page, path)
      await expectFocusOn(page, 'composer-input')

      // Edit: Enter opens the editor, Esc closes it and focus is back on Edit.
      await tabTo(page, '[data-testid=edit-button]', { backwards: true })
      await page.keyboard.press('Enter')
      await expectFocusOn(page, 'edit-input')
      await page.keyboard.press('Escape')
      await expectFocusOn(page, 'edit-button')

      // Copy: the button says it copied.
      await tabTo(page, '[data-testid=message][data-role=assistant] [data-testid=copy-button]')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.locator('[data-testid=message][data-role=assistant] [data-testid=copy-button]').getAttribute('aria-label')).toBe('Copied')

      // Model picker: opens, takes focus, closes with Esc back on its button.
      await tabTo(page, '[data-testid=model-picker]', { backwards: true, max: 20 })
      await page.keyboard.press('Enter')
      await page.getByTestId('model-panel').waitFor()
      await expect.poll(async () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=model-panel]'))).toBe(true)
      await page.keyboard.press('Escape')
      await expectFocusOn(page, 'model-picker')

      // Export: the menu opens with Enter and lists both formats.
      await tabTo(page, '[data-testid=export-button]')
      await page.keyboard.press('Enter')
      expect(await page.getByRole('menuitem').allInnerTexts()).toEqual(['Markdown', 'JSON'])
      await page.keyboard.press('Escape')
      await expectFocusOn(page, 'export-button')

      // Theme.
      await tabTo(page, '[data-testid=color-mode-toggle]')
      await page.keyboard.press('Enter')
      await expect.poll(() => page.locator('html').getAttribute('class')).toContain('dark')

      // Switch chat, then a new chat.
      await tabTo(page, `[data-testid=chat-item][data-chat-id="${other.id}"] [data-testid=chat-item-link]`, { backwards: true, max: 40 })
      await page.keyboard.press('Enter')
      await page.waitForURL(`${appUrl()}/chat/${other.id}`)
      await tabTo(page, '[data-testid=new-chat-button]', { backwards: true, max: 40 })
      await page.keyboard.press('Enter')
      await page.waitForURL(`${appUrl()}/`)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('opens and folds a model\'s thinking, reaches its text, and shows the answer\'s model and cost on focus', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user, ...KEYBOARD_CONTEXT })
    try {
      await open(page, await thoughtChat(user, 'short'))
      await expectFocusOn(page, 'composer-input')
      const block = page.getByTestId('reasoning')
      expect(await block.getAttribute('data-open')).toBe('false')
      expectShown(await tabTo(page, '[data-testid=reasoning-toggle]', { backwards: true }))
      const toggle = await focused(page)
      expect(toggle.tag).toBe('button')
      expect(toggle.name).toMatch(/^Thought for /)
      // Focus inside the answer shows its details, as hovering does.
      await expect.poll(() => page.getByTestId('message-meta').evaluate(el => getComputedStyle(el).opacity)).toBe('1')

      await page.keyboard.press('Enter')
      await expect.poll(() => block.getAttribute('data-open')).toBe('true')
      expect(await page.getByTestId('reasoning-toggle').getAttribute('aria-expanded')).toBe('true')
      await expectFocusOn(page, 'reasoning-toggle')
      // The thinking's text is a named region in the tab order, so a long one scrolls by keyboard.
      expectShown(await tabTo(page, '[data-testid=reasoning-text]', { max: 3 }))
      expect(await page.getByTestId('reasoning-text').getAttribute('aria-label')).toBe('The model\'s thinking')

      await tabTo(page, '[data-testid=reasoning-toggle]', { backwards: true, max: 3 })
      await page.keyboard.press('Space')
      await expect.poll(() => block.getAttribute('data-open')).toBe('false')
      await expectFocusOn(page, 'reasoning-toggle')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('shows where focus is on every stop of the chat page, in both themes', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const user = await apiUser()
      const { context, page } = await newContext(browser, { user, colorScheme, ...KEYBOARD_CONTEXT })
      try {
        await open(page, await savedChat(user, LONG_MARKDOWN_ANSWER))
        await page.locator('[data-testid=code-block] .shiki').first().waitFor()
        await focusDocumentStart(page)
        // The whole cycle: from the skip link round to the composer.
        const stops = await tabTo(page, '#composer-input', { max: 80 })
        expect(stops.length).toBeGreaterThan(15)
        expectShown(stops)
        const reached = new Set(stops.map(stop => stop.testid))
        for (const control of ['skip-link', 'new-chat-button', 'playground-link', 'chat-search', 'chat-item-menu', 'user-menu', 'model-picker', 'export-button', 'color-mode-toggle', 'copy-code-button', 'copy-button', 'regenerate-button'])
          expect(reached.has(control), `${control} is in the tab order (${colorScheme})`).toBe(true)
      }
      finally {
        await context.close()
      }
    }
  })
})

/** A user object for an account created through the UI (for reading it back through the API). */
async function asUser(email: string) {
  const res = await fetch(`${appUrl()}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
  const cookie = res.headers.getSetCookie().find(header => header.startsWith('neptun-session='))!.split(';')[0]!
  return { fetch: (path: string) => fetch(`${appUrl()}${path}`, { headers: { cookie } }) } as Parameters<typeof storedChat>[0]
}
