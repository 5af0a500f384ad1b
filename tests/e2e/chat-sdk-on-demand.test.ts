// The AI SDK's chat client loads when it is needed, not before the composer takes input
// (composables/useChatOnDemand.ts), and a question asked while it cannot load is not lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiUser, launchChromium, newContext, open, send, shownMessages, storedChat, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** A string of the AI SDK's chat client (DefaultChatTransport's error), kept by the minifier. */
const SDK_MARKER = 'Failed to fetch the chat response.'

/** Records every script of the app the page requests, in order. */
function scriptsOf(page: Page): string[] {
  const scripts: string[] = []
  page.on('request', (request) => {
    if (/\/_nuxt\/.*\.js(\?|$)/.test(request.url())) scripts.push(request.url())
  })
  return scripts
}

async function holdsSdk(urls: string[]): Promise<boolean> {
  for (const url of urls) {
    if ((await (await fetch(url)).text()).includes(SDK_MARKER)) return true
  }
  return false
}

describe('the AI SDK on demand', () => {
  it('is not loaded before the composer takes input, and is loaded to answer', async () => {
    const user = await apiUser()
    const chat = await user.createChat('on demand')
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      const scripts = scriptsOf(page)
      await open(page, `/chat/${chat.id}`)
      const beforeInput = [...scripts]
      expect(beforeInput.length, 'the page loaded its scripts').toBeGreaterThan(0)
      expect(await holdsSdk(beforeInput), 'no AI SDK before the composer takes input').toBe(false)
      await send(page, 'Hello there')
      const shown = await waitForAnswer(page, 2)
      expect(shown.map(message => message.role)).toEqual(['user', 'assistant'])
      expect(shown[1]!.text.length).toBeGreaterThan(0)
      expect(await holdsSdk(scripts.slice(beforeInput.length)), 'the AI SDK loaded for the answer').toBe(true)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('keeps a question asked while the SDK cannot load, and Retry asks it once it can', async () => {
    const user = await apiUser()
    const chat = await user.createChat('offline chunk')
    const { context, page } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${chat.id}`)
      // The app's scripts fail from now on (a deployment replaced them, or the network went).
      const blocked: string[] = []
      await page.route(/\/_nuxt\/.*\.js(\?|$)/, (route) => {
        blocked.push(route.request().url())
        return route.abort('failed')
      })
      await send(page, 'Is this kept?')
      await page.getByTestId('chat-error').waitFor()
      expect(blocked.length, 'the SDK was asked for and refused').toBeGreaterThan(0)
      expect((await shownMessages(page)).map(({ role, text }) => ({ role, text }))).toEqual([{ role: 'user', text: 'Is this kept?' }])
      expect((await storedChat(user, chat.id)).messages, 'nothing reached the server').toEqual([])

      await page.unroute(/\/_nuxt\/.*\.js(\?|$)/)
      await page.getByTestId('retry-button').click()
      const shown = await waitForAnswer(page, 2)
      expect(shown.map(message => message.role)).toEqual(['user', 'assistant'])
      expect(shown[0]!.text).toBe('Is this kept?')
      const stored = await storedChat(user, chat.id)
      expect(stored.messages.map(message => [message.role, message.status])).toEqual([['user', 'complete'], ['assistant', 'complete']])
      expect(stored.messages[0]!.content).toBe('Is this kept?')
    }
    finally {
      await context.close()
    }
  })

  it('answers a question sent the moment the page is usable', async () => {
    const user = await apiUser()
    const chat = await user.createChat('at once')
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      // No wait for the preload: Enter right after hydration waits for the SDK itself.
      await open(page, `/chat/${chat.id}`)
      await send(page, 'Quick one')
      expect((await waitForAnswer(page, 2)).map(message => message.role)).toEqual(['user', 'assistant'])
      expect((await storedChat(user, chat.id)).messages.length).toBe(2)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
