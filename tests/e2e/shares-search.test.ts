// Share by link and search in messages, as a user and a stranger see them in Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { SHARE_PATH } from '../../shared/contract/index.ts'
import { apiUser, appUrl, directive, hydrated, launchChromium, newContext, open, shot, startChat, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

const unique = (label: string) => `${label}${Math.random().toString(36).slice(2, 10)}`

describe('share by link', () => {
  it('shares a chat from its header; a stranger without cookies reads it rendered; after revoking it is gone', async () => {
    const owner = await apiUser()
    const word = unique('orbit')
    const reply = `Here is **${word}** in bold and some code:\n\n\`\`\`js\nconsole.log('${word}')\n\`\`\`\n`
    const { context, page } = await newContext(browser, { user: owner })
    const stranger = await newContext(browser)
    try {
      await open(page, '/')
      await startChat(page, `Show me code ${directive({ reply })}`)
      await waitForAnswer(page, 2)

      await page.getByTestId('share-button').click()
      await page.getByTestId('share-create').click()
      const url = await page.getByTestId('share-url').locator('input').or(page.locator('input[data-testid=share-url]')).first().inputValue()
      expect(new URL(url).pathname).toMatch(new RegExp(`^${SHARE_PATH}[\\w-]{24}$`))
      await shot(page, 'share-dialog')

      // A fresh context: no cookies, no session. No redirect to the log-in page.
      const response = await stranger.page.goto(url)
      expect(response?.status()).toBe(200)
      await hydrated(stranger.page)
      expect(new URL(stranger.page.url()).pathname).toBe(new URL(url).pathname)
      await expect.poll(() => stranger.page.getByTestId('shared-chat').isVisible()).toBe(true)
      const answer = stranger.page.locator('[data-testid=message][data-role=assistant]')
      expect(await answer.locator('strong').textContent()).toBe(word)
      await answer.locator('[data-testid=code-block] .shiki').waitFor()
      expect(await stranger.page.getByTestId('sidebar').count()).toBe(0)
      expect(await stranger.page.getByTestId('composer-input').count()).toBe(0)
      expect(await stranger.page.locator('meta[name=robots]').getAttribute('content')).toBe('noindex')
      expect(await stranger.page.content()).not.toContain(owner.email)
      await shot(stranger.page, 'share-page')

      await page.getByTestId('share-revoke').click()
      await expect.poll(() => page.getByTestId('share-create').isVisible()).toBe(true)
      const gone = await stranger.page.goto(url)
      expect(gone?.status()).toBe(404)
      await stranger.page.getByTestId('not-found').waitFor()
      expect(await stranger.page.content()).not.toContain(word)
    }
    finally {
      await stranger.context.close()
      await context.close()
    }
  })
})

describe('search in messages', () => {
  it('finds a chat by a word that is only in an answer, highlighted in the sidebar, and opens it', async () => {
    const user = await apiUser()
    const word = unique('nebula')
    const created = await user.fetch('/api/chats', { method: 'POST', body: { title: 'Astronomy night', messages: [
      { role: 'user', content: 'What should I look at tonight?' },
      { role: 'assistant', content: `Look for the ${word} low in the east after ten.` },
    ] } })
    const chat = await created.json() as { id: number }
    // A hostile stored message that also matches: its markup must come out as text.
    await user.fetch('/api/chats', { method: 'POST', body: { title: 'Hostile', messages: [
      { role: 'user', content: `<img src=x onerror="window.__searchXss=1"> ${word} <b>bold?</b>` },
    ] } })
    const { context, page, dialogs } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await page.getByTestId('chat-search').locator('input').or(page.locator('input[data-testid=chat-search]')).first().fill(word)
      const result = page.locator(`[data-testid=search-result][data-chat-id="${chat.id}"]`)
      await result.waitFor()
      expect(await result.locator('mark').textContent()).toBe(word)
      expect(await result.getByTestId('search-snippet').textContent()).toContain(`Look for the ${word} low in the east`)
      const results = page.getByTestId('search-results')
      expect(await results.locator('img').count()).toBe(0)
      expect(await results.locator('b').count()).toBe(0)
      expect(await results.textContent()).toContain('bold')
      await page.waitForTimeout(200)
      expect(await page.evaluate(() => (window as unknown as { __searchXss?: unknown }).__searchXss)).toBeUndefined()
      expect(dialogs).toEqual([])
      await shot(page, 'search-snippets')

      await result.click()
      await page.waitForURL(`${appUrl()}/chat/${chat.id}`)
      await page.locator('[data-testid=message][data-role=assistant]').getByText(word).waitFor()
    }
    finally {
      await context.close()
    }
  })
})
