// Model output is inert, and another user's chat is not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  apiUser, appUrl, directive, launchChromium, newContext, open, reload, shot, startChat, waitForAnswer,
} from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** Everything in the message list that could run script or navigate to it. */
function liveHazards(page: Page) {
  return page.getByTestId('message-list').evaluate((list) => {
    const all = [...list.querySelectorAll<HTMLElement>('*')]
    return {
      scripts: list.querySelectorAll('script').length,
      javascriptLinks: list.querySelectorAll('a[href^="javascript:" i], [href^="javascript:" i], [src^="javascript:" i], [action^="javascript:" i]').length,
      imgOnerror: list.querySelectorAll('img[onerror]').length,
      imgs: list.querySelectorAll('img').length,
      iframes: list.querySelectorAll('iframe, object, embed').length,
      handlers: all.flatMap(el => [...el.attributes].filter(a => /^on/i.test(a.name)).map(a => `${el.tagName}[${a.name}]`)),
      hrefs: [...list.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    }
  })
}

describe('security', () => {
  it('renders an XSS payload from the model inert: no script runs, no live javascript: link, no img[onerror]', async () => {
    const user = await apiUser()
    const { context, page, dialogs, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await startChat(page, `Show me HTML ${directive('xss')}`)
      const shown = await waitForAnswer(page, 2)
      expect(shown[1]!.status).toBe('complete')
      // The payload arrived and is visible as text (the code block shows the script verbatim).
      expect(shown[1]!.text).toContain('bold')
      expect(shown[1]!.text).toContain('<script>window.__xss=1</script>')

      const check = async (when: string) => {
        // Give an onerror (img src=x) time to fire if it were live.
        await page.waitForTimeout(300)
        expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), `window.__xss ${when}`).toBeUndefined()
        const hazards = await liveHazards(page)
        expect(hazards, when).toMatchObject({ scripts: 0, javascriptLinks: 0, imgOnerror: 0, iframes: 0, handlers: [] })
        for (const href of hazards.hrefs) expect(href, when).toMatch(/^(https?:|mailto:|#|\/)/)
        expect(dialogs, `dialogs ${when}`).toEqual([])
      }
      await check('after the stream')
      await shot(page, 'xss-inert')

      // Try the link the model wrote: nothing may run.
      const link = page.getByTestId('message-list').getByText('click', { exact: true })
      if (await link.count()) await link.first().click({ timeout: 2000 }).catch(() => {})
      await check('after clicking the model\'s link')

      // The stored answer, rendered on the server and hydrated, is just as inert.
      await reload(page)
      await page.locator('[data-testid=message][data-role=assistant]').waitFor()
      await check('after a reload')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('shows not-found to user B opening user A\'s chat, without A\'s title or messages', async () => {
    const alice = await apiUser()
    const secretTitle = `Alice secret plan ${Date.now()}`
    const created = await alice.fetch('/api/chats', {
      method: 'POST',
      body: { title: secretTitle, messages: [{ role: 'user', content: 'alice private question' }, { role: 'assistant', content: 'alice private answer' }] },
    })
    expect(created.status).toBe(201)
    const { id } = await created.json() as { id: number }
    const bob = await apiUser()

    const { context, page, pageErrors } = await newContext(browser)
    try {
      // Logged out, the link leads to /login, which returns there after signing in.
      await open(page, `/chat/${id}`)
      await page.waitForURL(/\/login/)
      await page.getByTestId('auth-form').waitFor()
      await page.waitForLoadState('networkidle')
      // The demo banner's dismiss button and the colour-mode toggle must not sit on each other.
      const dismiss = await page.getByRole('button', { name: 'Dismiss demo notice' }).boundingBox()
      const toggle = await page.getByTestId('color-mode-toggle').boundingBox()
      expect(dismiss && toggle).toBeTruthy()
      const overlap = dismiss!.x < toggle!.x + toggle!.width && toggle!.x < dismiss!.x + dismiss!.width
        && dismiss!.y < toggle!.y + toggle!.height && toggle!.y < dismiss!.y + dismiss!.height
      expect(overlap, `dismiss ${JSON.stringify(dismiss)} vs colour toggle ${JSON.stringify(toggle)}`).toBe(false)
      await shot(page, 'login')
      await page.getByTestId('email-input').fill(bob.email)
      await page.getByTestId('password-input').fill('wrong password!')
      await page.getByTestId('auth-submit').click()
      await page.getByTestId('auth-error').waitFor()
      await shot(page, 'login-error')
      await page.getByTestId('password-input').fill(bob.password)
      await page.getByTestId('auth-submit').click()
      await page.waitForURL(`${appUrl()}/chat/${id}`)
      await page.getByTestId('not-found').waitFor()
      expect(await page.content()).not.toContain(secretTitle)

      // Loaded directly (rendered on the server) it is not found either.
      const response = await open(page, `/chat/${id}`)
      await page.getByTestId('not-found').waitFor()
      expect(response?.status()).toBeLessThan(500)
      const html = await page.content()
      for (const secret of [secretTitle, 'alice private question', 'alice private answer']) {
        expect(html, 'in the page').not.toContain(secret)
      }
      expect(await page.title()).not.toContain(secretTitle)
      expect(await page.getByTestId('message').count()).toBe(0)
      expect(await page.getByTestId('composer-input').count()).toBe(0)
      await shot(page, 'not-found')

      // An id that does not exist looks the same.
      await open(page, '/chat/999999')
      await page.getByTestId('not-found').waitFor()
      expect(await page.content()).not.toContain(secretTitle)

      // Alice herself sees it.
      const own = await newContext(browser, { user: alice })
      try {
        await open(own.page, `/chat/${id}`)
        await own.page.locator('[data-testid=message][data-role=assistant]').waitFor()
        expect(await own.page.getByTestId('chat-title').innerText()).toBe(secretTitle)
      }
      finally {
        await own.context.close()
      }
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
