// Versions in the browser: editing a question and regenerating an answer keep the old version,
// and the ‹ 2 / 2 › switcher on the message swaps the shown conversation without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  apiUser, directive, emulatorControl, emulatorUrl, launchChromium, newContext, open, reload, send, shot,
  shownMessages, startChat, storedChat, waitForAnswer,
} from './support.ts'
import { axeViolations, describeViolations, isBlocking } from './a11y/axe.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

const texts = async (page: Page) => (await shownMessages(page)).map(m => m.text.replace(/\s*\[\[emulator:.*\]\]$/, ''))

describe('versions of a message', () => {
  it('edits a question, then switches between its versions and their answers without a reload', async () => {
    const user = await apiUser()
    const emulator = emulatorControl(emulatorUrl())
    const { context, page, pageErrors } = await newContext(browser, { user })
    let chatId: number | undefined
    try {
      await open(page, '/')
      chatId = await startChat(page, `First question ${directive({ reply: 'First answer.' })}`)
      await waitForAnswer(page, 2)
      await send(page, `Second question ${directive({ reply: 'Second answer.' })}`)
      await waitForAnswer(page, 4)
      const original = await texts(page)
      expect(original).toEqual(['First question', 'First answer.', 'Second question', 'Second answer.'])
      await expect(page.getByTestId('version-switcher').count()).resolves.toBe(0)
      // A marker on the window: it survives only if the page is never reloaded.
      await page.evaluate(() => { (window as unknown as { neptunMarker: number }).neptunMarker = 42 })

      const secondQuestion = page.locator('[data-testid=message][data-role=user]').nth(1)
      await secondQuestion.hover()
      await secondQuestion.getByTestId('edit-button').click()
      await page.getByTestId('edit-input').fill(`Second question, edited ${directive({ reply: 'Answer to the edit.' })}`)
      await page.getByTestId('edit-submit').click()
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message]')].at(-1)?.textContent?.includes('Answer to the edit.'), null, { timeout: 20_000 })
      await waitForAnswer(page, 4)
      const editedTexts = await texts(page)
      expect(editedTexts).toEqual(['First question', 'First answer.', 'Second question, edited', 'Answer to the edit.'])

      // ‹ 2 / 2 › on the edited question, once the turn has ended.
      const switcher = page.locator('[data-testid=message][data-role=user]').nth(1).getByTestId('version-switcher')
      await switcher.waitFor({ timeout: 10_000 })
      await expect(switcher.getByTestId('version-position').textContent()).resolves.toBe('2 / 2')
      await expect(switcher.getAttribute('aria-label')).resolves.toBe('Versions of this message')
      const previous = switcher.getByRole('button', { name: 'Previous version' })
      const next = switcher.getByRole('button', { name: 'Next version' })
      await expect(next.isDisabled()).resolves.toBe(true)
      await shot(page, 'versions-edited')

      await previous.click()
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message]')].at(-1)?.textContent?.includes('Second answer.'), null, { timeout: 10_000 })
      expect(await texts(page)).toEqual(original)
      await expect(page.locator('[data-testid=message][data-role=user]').nth(1).getByTestId('version-position').textContent()).resolves.toBe('1 / 2')
      expect((await storedChat(user, chatId)).messages.map(m => m.content.replace(/\s*\[\[emulator:.*\]\]$/, ''))).toEqual(original)

      await page.locator('[data-testid=message][data-role=user]').nth(1).getByRole('button', { name: 'Next version' }).click()
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message]')].at(-1)?.textContent?.includes('Answer to the edit.'), null, { timeout: 10_000 })
      expect(await texts(page)).toEqual(editedTexts)
      expect(await page.evaluate(() => (window as unknown as { neptunMarker?: number }).neptunMarker)).toBe(42)

      // Regenerate: the answer gets ‹ 2 / 2 ›, and the earlier answer is one click away.
      await emulator.enqueue({ reply: 'Answer to the edit, regenerated.' })
      await page.locator('[data-testid=message][data-role=assistant]').last().hover()
      await page.getByTestId('regenerate-button').click()
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message]')].at(-1)?.textContent?.includes('regenerated'), null, { timeout: 20_000 })
      await waitForAnswer(page, 4)
      const answerSwitcher = page.locator('[data-testid=message][data-role=assistant]').last().getByTestId('version-switcher')
      await answerSwitcher.waitFor({ timeout: 10_000 })
      await expect(answerSwitcher.getByTestId('version-position').textContent()).resolves.toBe('2 / 2')
      await answerSwitcher.getByRole('button', { name: 'Previous version' }).click()
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message]')].at(-1)?.textContent?.includes('Answer to the edit.'), null, { timeout: 10_000 })
      expect(await texts(page)).toEqual(editedTexts)

      // After a reload the page shows the version chosen last, with its switchers.
      await reload(page)
      expect(await texts(page)).toEqual(editedTexts)
      await expect(page.locator('[data-testid=message][data-role=user]').nth(1).getByTestId('version-position').textContent()).resolves.toBe('2 / 2')
      await expect(page.locator('[data-testid=message][data-role=assistant]').last().getByTestId('version-position').textContent()).resolves.toBe('1 / 2')
      // The next question continues the versions shown.
      await send(page, `Third question ${directive({ reply: 'Third answer.' })}`)
      await waitForAnswer(page, 6)
      expect(await texts(page)).toEqual([...editedTexts, 'Third question', 'Third answer.'])
      expect((await storedChat(user, chatId)).messages.map(m => m.content.replace(/\s*\[\[emulator:.*\]\]$/, ''))).toEqual([...editedTexts, 'Third question', 'Third answer.'])
      const blocking = (await axeViolations(page)).filter(isBlocking)
      expect(blocking, describeViolations(blocking)).toEqual([])
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }

    // The same switcher in German.
    const german = await newContext(browser, { user, locale: 'de-DE' })
    try {
      await open(german.page, `/chat/${chatId!}`)
      const switcher = german.page.locator('[data-testid=message][data-role=user]').nth(1).getByTestId('version-switcher')
      await expect(switcher.getAttribute('aria-label')).resolves.toBe('Versionen dieser Nachricht')
      await expect(switcher.getByRole('button', { name: 'Vorherige Version' }).count()).resolves.toBe(1)
      await expect(switcher.getByRole('button', { name: 'Nächste Version' }).count()).resolves.toBe(1)
      await expect(switcher.textContent()).resolves.toContain('Version 2 von 2')
      expect(german.pageErrors).toEqual([])
    }
    finally {
      await german.context.close()
    }
  })
})
