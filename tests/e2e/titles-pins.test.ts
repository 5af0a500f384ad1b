// Titles, pins and feedback as the user sees them: the generated title reaches the sidebar
// without a reload, pinning moves a chat to the top, and an answer takes a thumbs up and a comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { cleanTitle } from '../../shared/contract/titles.ts'
import { emulatedTitle } from '../../emulator/tokens.ts'
import { apiUser, launchChromium, newContext, open, reload, startChat, storedChat, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

const itemLink = (page: Page, chatId: number) => page.locator(`[data-testid=chat-item][data-chat-id="${chatId}"] [data-testid=chat-item-link]`)
const listedIds = (page: Page) => page.locator('[data-testid=chat-item]').evaluateAll(items => items.map(item => Number((item as HTMLElement).dataset.chatId)))

describe('titles, pins and feedback in the browser', () => {
  it('shows the generated title in the sidebar without a reload', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await page.evaluate(() => { (window as { neptunSamePage?: boolean }).neptunSamePage = true })
      const question = 'Explain the rings of the planet Saturn to me please'
      const chatId = await startChat(page, question)
      await waitForAnswer(page, 2)
      const expected = cleanTitle(emulatedTitle(question))!
      expect(expected).not.toBe(question)
      await expect.poll(() => itemLink(page, chatId).innerText(), { timeout: 15_000 }).toBe(expected)
      expect(await page.evaluate(() => (window as { neptunSamePage?: boolean }).neptunSamePage)).toBe(true)
      expect((await storedChat(user, chatId)).title).toBe(expected)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('moves a pinned chat to the top of the sidebar, under "Pinned", after a reload too', async () => {
    const user = await apiUser()
    const oldest = await user.createChat('Oldest chat')
    await user.createChat('Middle chat')
    const newest = await user.createChat('Newest chat')
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await expect.poll(() => listedIds(page)).toHaveLength(3)
      expect((await listedIds(page))[0]).toBe(newest.id)
      await page.locator(`[data-testid=chat-item][data-chat-id="${oldest.id}"] [data-testid=chat-item-menu]`).click()
      await page.getByRole('menuitem', { name: 'Pin' }).click()
      await expect.poll(async () => (await listedIds(page))[0]).toBe(oldest.id)
      await expect.poll(() => page.getByRole('heading', { name: 'Pinned' }).count()).toBe(1)
      await reload(page)
      await expect.poll(async () => (await listedIds(page))[0]).toBe(oldest.id)

      await page.locator(`[data-testid=chat-item][data-chat-id="${oldest.id}"] [data-testid=chat-item-menu]`).click()
      await page.getByRole('menuitem', { name: 'Unpin' }).click()
      await expect.poll(async () => (await listedIds(page))[0]).toBe(newest.id)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('takes a thumbs up with a comment on an answer, shown pressed, stored, and taken back', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      const chatId = await startChat(page, 'Rate the answer to this question')
      await waitForAnswer(page, 2)
      const answer = page.locator('[data-testid=message][data-role=assistant]')
      const up = answer.getByRole('button', { name: 'Good answer' })
      expect(await up.getAttribute('aria-pressed')).toBe('false')
      await up.click()
      await expect.poll(() => up.getAttribute('aria-pressed')).toBe('true')
      const answerId = () => storedChat(user, chatId).then(chat => chat.messages.find(m => m.role === 'assistant')! as { feedback?: unknown })
      await expect.poll(async () => (await answerId()).feedback).toEqual({ rating: 'up', comment: null })

      await answer.getByRole('button', { name: 'Comment on this answer' }).click()
      await page.getByTestId('feedback-comment-input').fill('Clear and short')
      await page.getByTestId('feedback-comment-save').click()
      await expect.poll(async () => (await answerId()).feedback).toEqual({ rating: 'up', comment: 'Clear and short' })

      await reload(page)
      const again = page.locator('[data-testid=message][data-role=assistant]').getByRole('button', { name: 'Good answer' })
      expect(await again.getAttribute('aria-pressed')).toBe('true')
      await again.click()
      await expect.poll(() => again.getAttribute('aria-pressed')).toBe('false')
      await expect.poll(async () => (await answerId()).feedback).toBeNull()
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
