// The page under its Content-Security-Policy (scripts run only with the response's nonce), and a
// chat longer than one page: the newest messages first, the earlier ones on request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { LIMITS } from '../../shared/contract/limits.ts'
import { apiUser, directive, launchChromium, newContext, open, send, shot, startChat, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

describe('content security policy', () => {
  it('runs the whole app with no violation (hydration, streaming, the highlight worker), and refuses inline event handlers', async () => {
    const user = await apiUser()
    const { context, page, pageErrors, cspViolations } = await newContext(browser, { user })
    try {
      await open(page, '/')
      const reply = 'Code:\n\n```ts\nconst a: number = 1\n```\n'
      await startChat(page, `Show me code ${directive({ reply })}`)
      await waitForAnswer(page, 2)
      await expect.poll(() => page.locator('[data-testid=code-block] .shiki').count(), { timeout: 10_000 }).toBe(1)
      expect(cspViolations).toEqual([])

      // Markup that slipped into the page would not run: an inline handler attribute…
      await page.evaluate(() => {
        const probe = document.createElement('div')
        probe.innerHTML = '<img src="data:," onerror="window.__handlerRan = true">'
        document.body.append(probe)
      })
      await page.waitForTimeout(300)
      expect(await page.evaluate(() => (window as unknown as { __handlerRan?: boolean }).__handlerRan)).toBeUndefined()
      expect(cspViolations.some(text => /script-src-attr|inline event handler/i.test(text))).toBe(true)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('refuses an inline script in the server\'s HTML that lacks the response\'s nonce', async () => {
    const user = await apiUser()
    const { context, page, pageErrors, cspViolations } = await newContext(browser, { user })
    try {
      // The page as the server sent it, with the script a stored-XSS bug would have let through.
      await page.route(/\/chat\/\d+$|\/$/, async (route) => {
        const response = await route.fetch()
        const html = (await response.text()).replace('</body>', '<script>window.__injected = true</script></body>')
        await route.fulfill({ response, body: html })
      })
      await open(page, '/')
      expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined()
      expect(cspViolations.some(text => /inline script/i.test(text))).toBe(true)
      // Nuxt's own inline scripts carry the nonce: the app hydrated and works.
      expect(await page.getByTestId('composer-input').count()).toBe(1)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})

describe('a chat longer than one page', () => {
  it(`shows its newest ${LIMITS.chatPageMessages} messages and loads the earlier ones on request`, async () => {
    const user = await apiUser()
    const count = LIMITS.chatPageMessages + 12
    const made = await user.fetch('/api/chats', {
      method: 'POST',
      body: { title: 'long history', messages: Array.from({ length: count }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i}` })) },
    })
    const { id } = await made.json() as { id: number }
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${id}`)
      const messages = page.getByTestId('message')
      expect(await messages.count()).toBe(LIMITS.chatPageMessages)
      expect(await messages.first().innerText()).toContain(`message ${count - LIMITS.chatPageMessages}`)
      await page.getByTestId('load-earlier').click()
      await expect.poll(() => messages.count()).toBe(count)
      expect(await messages.first().innerText()).toContain('message 0')
      expect(await messages.last().innerText()).toContain(`message ${count - 1}`)
      expect(await page.getByTestId('load-earlier').count()).toBe(0)
      await shot(page, 'chat-earlier-messages')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('sends a turn the history before the shown page too, as much as the model reads', async () => {
    const user = await apiUser()
    const count = LIMITS.chatPageMessages * 2 + 5
    const made = await user.fetch('/api/chats', {
      method: 'POST',
      body: { title: 'long memory', messages: Array.from({ length: count }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i}` })) },
    })
    const { id } = await made.json() as { id: number }
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${id}`)
      expect(await page.getByTestId('message').count()).toBe(LIMITS.chatPageMessages)
      const request = page.waitForRequest(sent => sent.method() === 'POST' && sent.url().includes(`chat_id=${id}`))
      await send(page, 'What did I say first?')
      const { messages } = (await request).postDataJSON() as { messages: { role: string, content: string }[] }
      expect(messages.map(message => message.content)).toEqual([...Array.from({ length: count }, (_, i) => `message ${i}`), 'What did I say first?'])
      await waitForAnswer(page, LIMITS.chatPageMessages + 2)
      // The earlier pages it fetched for the request are not shown until asked for.
      expect(await page.getByTestId('load-earlier').count()).toBe(1)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
