// A user creates an API key on the settings page, a program uses it, the user revokes it and the
// program gets 401; and the API reference at /docs renders offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { ERRORS } from '../../shared/contract/index.ts'
import { apiUser, appUrl, directive, launchChromium, newContext, open, shot } from './support.ts'
import { axeViolations, describeViolations, isBlocking } from './a11y/axe.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

describe('API keys on the settings page', () => {
  it('creates a key shown once, which works with fetch until it is revoked, then gets 401', async () => {
    const user = await apiUser()
    const { context, page, pageErrors, cspViolations } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await page.getByTestId('settings-link').click()
      await page.waitForURL('**/settings')
      await page.getByTestId('keys-empty').waitFor()

      await page.getByTestId('key-name-input').fill('my script')
      await page.getByTestId('key-create').click()
      const secret = page.getByTestId('key-secret')
      await secret.waitFor()
      const key = await secret.inputValue()
      expect(key).toMatch(/^nk_[\w-]{43}$/)
      const row = page.getByTestId('key-row')
      await row.waitFor()
      expect(await row.getByTestId('key-name').innerText()).toBe('my script')
      expect(key.startsWith((await row.getByTestId('key-prefix').innerText()).replace('…', ''))).toBe(true)
      await shot(page, 'api-key-created')

      // A program, outside the browser: no cookie, only the key.
      const chat = await user.createChat('From a script')
      const asked = await fetch(`${appUrl()}/api/ai/cloudflare/llama-3.3-70b-instruct-fp8-fast/chat?chat_id=${chat.id}`, {
        method: 'POST',
        headers: { 'authorization': `Bearer ${key}`, 'content-type': 'application/json', 'accept': 'text/plain' },
        body: JSON.stringify({ messages: [{ role: 'user', content: `Hello ${directive({ reply: 'Hi, program.' })}` }] }),
      })
      expect(asked.status).toBe(200)
      expect(await asked.text()).toBe('Hi, program.')

      // The list shows the key was used, once the page looks again.
      await page.getByTestId('key-created-done').click()
      await open(page, '/settings')
      await page.getByTestId('key-last-used').locator('time').waitFor()
      expect(await page.getByTestId('key-secret').count(), 'the key is never shown again').toBe(0)
      expect(await page.content()).not.toContain(key)

      await page.getByTestId('key-revoke').click()
      await page.getByTestId('key-revoke-confirm').click()
      await page.getByTestId('keys-empty').waitFor()

      const refused = await fetch(`${appUrl()}/api/chats`, { headers: { authorization: `Bearer ${key}` } })
      expect(refused.status).toBe(401)
      expect(await refused.json()).toEqual({ statusCode: 401, statusMessage: ERRORS.unauthorized })
      expect(pageErrors).toEqual([])
      expect(cspViolations).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})

describe('the API reference', () => {
  it('renders /docs from the app\'s own files, with no request to another origin, under a policy that runs no other script', async () => {
    const { context, page, pageErrors, cspViolations } = await newContext(browser)
    const foreign: string[] = []
    page.on('request', (request) => {
      if (!request.url().startsWith(appUrl()) && !request.url().startsWith('data:')) foreign.push(request.url())
    })
    try {
      const res = await page.goto(`${appUrl()}/docs`)
      const policy = res!.headers()['content-security-policy'] ?? ''
      expect(policy).toMatch(/script-src 'self' 'sha256-[\w+/]+={0,2}'(;|$)/)
      expect(policy).not.toContain('unsafe-eval')
      await page.locator('.opblock-summary-path').first().waitFor()
      const paths = await page.locator('.opblock-summary-path').allInnerTexts()
      expect(paths.map(path => path.replace(/\u200B/g, ''))).toEqual(expect.arrayContaining(['/api/ai/cloudflare/{model_name}/chat', '/api/v1/chat/completions', '/api/keys']))
      await shot(page, 'api-docs')
      expect(foreign).toEqual([])
      // Not a page of the app (no language, no theme), so axe checks it here rather than in a11y/pages.ts.
      const blocking = (await axeViolations(page)).filter(isBlocking)
      expect(blocking, describeViolations(blocking)).toEqual([])
      // "Try it out" sends its request from the page: the policy lets it reach the app.
      await page.locator('.opblock-summary-path[data-path="/api/ai/models"]').click()
      await page.getByRole('button', { name: /Try it out/ }).click()
      await page.getByRole('button', { name: /Execute/ }).click()
      await page.locator('.live-responses-table .response-col_status').filter({ hasText: '200' }).first().waitFor()
      expect(cspViolations).toEqual([])
      // An inline script other than the page's own is refused by the policy.
      const injected = await page.evaluate(() => {
        const script = document.createElement('script')
        script.textContent = 'window.injectedRan = true'
        document.body.append(script)
        return (window as unknown as { injectedRan?: boolean }).injectedRan === true
      })
      expect(injected).toBe(false)
      await expect.poll(() => cspViolations.length).toBe(1)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
