// On a phone (390×844) the sidebar is a drawer and chatting works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { apiUser, appUrl, directive, launchChromium, newContext, open, send, shot, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

describe('mobile', () => {
  it('hides the sidebar behind a drawer toggle, lists the chats in it, and chats', async () => {
    const user = await apiUser()
    const older = await user.createChat('Packing list for Oslo')
    const { context, page, pageErrors } = await newContext(browser, { user, viewport: { width: 390, height: 844 }, mobile: true })
    try {
      await open(page, '/')
      await page.getByTestId('composer-input').waitFor()
      await page.waitForLoadState('networkidle')
      expect(await page.getByTestId('sidebar').isVisible(), 'desktop sidebar hidden').toBe(false)
      const toggle = page.getByTestId('sidebar-toggle')
      expect(await toggle.isVisible()).toBe(true)
      expect(await toggle.getAttribute('aria-label')).toBeTruthy()
      const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
      expect(await noHorizontalScroll()).toBe(true)
      await shot(page, 'mobile')

      await toggle.click()
      const drawer = page.getByRole('dialog')
      await drawer.waitFor()
      const item = drawer.locator(`[data-testid=chat-item][data-chat-id="${older.id}"]`)
      await item.waitFor()
      expect(await item.innerText()).toContain('Packing list for Oslo')
      expect(await drawer.getByTestId('new-chat-button').isVisible()).toBe(true)
      expect(await drawer.getByTestId('chat-search').isVisible()).toBe(true)
      const box = await item.boundingBox()
      expect(box!.x + box!.width).toBeLessThanOrEqual(390)
      await page.waitForTimeout(300) // the slide-in transition, for the screenshot
      await shot(page, 'mobile-drawer')

      // Open the chat from the drawer: it closes and the chat is there.
      await item.getByTestId('chat-item-link').click()
      await page.waitForURL(`${appUrl()}/chat/${older.id}`)
      await expect.poll(() => drawer.count()).toBe(0)

      await send(page, `Hello from my phone ${directive({ reply: 'Hello, **phone**! This answer fits on a narrow screen.' })}`)
      const shown = await waitForAnswer(page, 2)
      expect(shown[1]).toMatchObject({ status: 'complete', text: 'Hello, phone! This answer fits on a narrow screen.' })
      const answerBox = await page.locator('[data-testid=message][data-role=assistant]').boundingBox()
      expect(answerBox!.x).toBeGreaterThanOrEqual(0)
      expect(answerBox!.x + answerBox!.width).toBeLessThanOrEqual(390)
      expect(await page.getByTestId('composer-input').isVisible()).toBe(true)
      expect(await noHorizontalScroll()).toBe(true)
      await shot(page, 'mobile-chat')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
