// In a whole session no request leaves 127.0.0.1 (fonts, icons,
// Shiki's grammars and themes are all served by the app).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import {
  appUrl, directive, launchChromium, newContext, reload, send, shot, signUpInBrowser, startChat, waitForAnswer,
} from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url)
  if (protocol === 'data:' || protocol === 'blob:' || url === 'about:blank') return true
  return LOCAL_HOSTS.has(hostname)
}

describe('network', () => {
  it('sends every request of a whole session to 127.0.0.1', async () => {
    const { context, page, pageErrors } = await newContext(browser)
    const urls: string[] = []
    context.on('request', request => urls.push(request.url()))
    // A resource the page tries to load but the browser blocks still shows up as a failed request.
    context.on('requestfailed', request => urls.push(request.url()))
    try {
      await signUpInBrowser(page)
      expect(await page.getByTestId('demo-banner').isVisible()).toBe(true)

      // An answer with code blocks, so Shiki loads its languages and themes.
      const reply = 'Here is some code:\n\n```ts\nconst a: number = 1\nexport function add(b: number) {\n  return a + b\n}\n```\n\nAnd a table:\n\n| Tool | Use |\n| --- | --- |\n| Nuxt | UI |\n\n```python\nprint("hi")\n```\n'
      await startChat(page, `Show me code ${directive({ reply })}`)
      await waitForAnswer(page, 2)
      const blocks = page.getByTestId('code-block')
      await expect.poll(() => blocks.count()).toBe(2)
      await expect.poll(() => page.locator('[data-testid=code-block] .shiki').count(), { timeout: 10_000 }).toBe(2)
      // Highlighted: the keyword has its own colour.
      const colours = await blocks.first().locator('.shiki span[style]').evaluateAll(spans => new Set(spans.map(s => getComputedStyle(s).color)).size)
      expect(colours).toBeGreaterThan(1)
      // Shiki ran in the highlight worker, not on the page's main thread.
      expect(page.workers().map(w => w.url()).some(url => /\/highlight[^/]*\.(js|ts)/.test(url))).toBe(true)
      expect(await page.getByTestId('copy-code-button').count()).toBe(2)
      expect(await page.locator('[data-testid=message-list] table').count()).toBe(1)
      await page.waitForTimeout(200)
      await shot(page, 'chat-code-block')

      // Dark mode with code, then back.
      await page.getByTestId('color-mode-toggle').click()
      await page.waitForTimeout(300)
      await shot(page, 'chat-code-block-dark')
      await page.getByTestId('color-mode-toggle').click()

      // The model panel.
      await page.getByTestId('model-picker').click()
      const panel = page.getByTestId('model-panel')
      await panel.waitFor()
      expect(await panel.innerText()).toMatch(/llama/i)
      await shot(page, 'model-panel')
      await page.keyboard.press('Escape')

      // The playground.
      await page.getByTestId('playground-link').click()
      await page.waitForURL(`${appUrl()}/playground`)
      await send(page, `Quick test ${directive('long:20')}`)
      await waitForAnswer(page, 2)
      await reload(page)

      await page.waitForLoadState('networkidle')
      expect(urls.length).toBeGreaterThan(10)
      const outside = urls.filter(url => !isLocal(url))
      expect(outside, 'requests that left 127.0.0.1').toEqual([])
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
