// A 429 from Workers AI (the emulator) shows when to try again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { apiUser, directive, launchChromium, newContext, open, shot, startChat } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

describe('errors', () => {
  it('shows the retry message for a 429, inline with a retry button', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await startChat(page, `Too busy? ${directive('429')}`)
      const alert = page.getByTestId('chat-error')
      await alert.waitFor()
      expect(await alert.getAttribute('data-status-code')).toBe('429')
      const text = await alert.innerText()
      expect(text).toMatch(/try again/i)
      expect(text, 'says when').toMatch(/\d+\s*(s|sec|seconds)\b/i)
      const retry = page.getByTestId('retry-button')
      await retry.waitFor()
      expect(await retry.isDisabled(), 'retry waits for Retry-After').toBe(true)
      expect(await retry.getAttribute('aria-label') ?? await retry.innerText()).toMatch(/retry/i)
      // The user's message stays; no empty answer is left behind.
      expect(await page.locator('[data-testid=message][data-role=user]').count()).toBe(1)
      expect(await page.locator('[data-testid=message][data-role=assistant]').count()).toBe(0)
      await shot(page, 'error-429')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
