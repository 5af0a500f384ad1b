// Answers that survive the page: a reload mid-answer picks the answer up where the page left it,
// a second tab shows the same live answer (and stops it), a closed tab's answer is complete
// when the chat is opened again, and the sidebar says which chats are answering or unread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { LIMITS, LIVE_MODELS } from '../../shared/contract/index.ts'
import {
  apiUser, directive, hydrated, launchChromium, newContext, open, readUiStream, shot, shownMessages, startChat, storedChat, waitForAnswer, type TestUser,
} from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** About six seconds of answer at the e2e emulator's pace. */
const LONG = directive('long:200')

const answerText = (page: Page) => page.evaluate(() => document.querySelector<HTMLElement>('[data-testid=message][data-role=assistant]:last-of-type .chat-markdown')?.innerText ?? '')

/** Waits until the page shows at least `words` words of the answer. */
async function answerHasWords(page: Page, words: number): Promise<void> {
  await page.waitForFunction((n) => {
    const text = document.querySelector<HTMLElement>('[data-testid=message][data-role=assistant] .chat-markdown')?.innerText ?? ''
    return text.split(/\s+/).filter(Boolean).length >= n
  }, words, { timeout: 20_000 })
}

/** Every distinct rendering of the last answer from now until it is no longer streaming. */
function recordRenderings(page: Page): Promise<{ seen: string[], status: string | undefined }> {
  return page.evaluate(async () => {
    const seen: string[] = []
    const deadline = Date.now() + 30_000
    for (;;) {
      const answers = document.querySelectorAll<HTMLElement>('[data-testid=message][data-role=assistant]')
      const el = answers[answers.length - 1]
      const text = el?.querySelector<HTMLElement>('.chat-markdown')?.innerText ?? ''
      if (text !== seen.at(-1)) seen.push(text)
      if ((el && el.dataset.status !== 'streaming' && !document.querySelector('[data-testid=stop-button]')) || Date.now() > deadline) return { seen, status: el?.dataset.status }
      await new Promise(resolve => requestAnimationFrame(resolve))
    }
  })
}

/** Runs in the page from its first script on: records the answer's text at every painted frame. */
function paintedRenderings(): void {
  const renderings: string[] = []
  ;(window as unknown as { renderings: string[] }).renderings = renderings
  const sample = () => {
    const answers = document.querySelectorAll<HTMLElement>('[data-testid=message][data-role=assistant]')
    const text = answers[answers.length - 1]?.querySelector<HTMLElement>('.chat-markdown')?.innerText ?? ''
    if (text !== renderings.at(-1)) renderings.push(text)
    requestAnimationFrame(sample)
  }
  requestAnimationFrame(sample)
}

async function storedAnswer(user: TestUser, chatId: number) {
  return (await storedChat(user, chatId)).messages.at(-1)!
}

describe('an answer that outlives the page', () => {
  it('continues after a reload mid-answer, with no gap and nothing twice, and completes as stored', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      const chatId = await startChat(page, `Tell me a long story ${LONG}`)
      await answerHasWords(page, 15)
      const beforeReload = await answerText(page)
      // Every painted frame from the start of the reloaded document (server-rendered text,
      // hydration, the replay, the rest live) to the end: the text only grows.
      await page.addInitScript(paintedRenderings)
      await page.reload()
      await hydrated(page)
      const { status } = await recordRenderings(page)
      expect(status).toBe('complete')
      const seen = await page.evaluate(() => (window as unknown as { renderings: string[] }).renderings)
      // From the first frame that showed text: never empty again, never shorter.
      const shownFrames = seen.slice(seen.findIndex(Boolean))
      expect(shownFrames.length, 'the answer grew live after the reload').toBeGreaterThanOrEqual(2)
      const lengths = shownFrames.map(text => text.length)
      for (let i = 1; i < lengths.length; i++) expect(lengths[i], `frame ${i} of ${JSON.stringify(lengths)} shrank`).toBeGreaterThanOrEqual(lengths[i - 1]!)
      expect(shownFrames.at(-1)!.replace(/\s+/g, ' ').startsWith(beforeReload.replace(/\s+/g, ' ').slice(0, 40))).toBe(true)

      const stored = await storedAnswer(user, chatId)
      expect(stored.status).toBe('complete')
      const shown = await shownMessages(page)
      expect(shown.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
      // What the resumed page shows is what a fresh load of the stored answer shows.
      await page.reload()
      await hydrated(page)
      expect(await shownMessages(page)).toEqual(shown)
      await shot(page, 'resume-after-reload')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('reloaded while a reasoning model thinks: its thinking is shown and goes on, then the text, and both are as stored', async () => {
    const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'reasoning-field')!
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await page.getByTestId('model-picker').click()
      await page.locator(`[data-testid=model-option][data-model="${thinker.name}"]`).click()
      await expect.poll(() => page.getByTestId('model-picker').getAttribute('data-model')).toBe(thinker.name)
      const chatId = await startChat(page, `Why is the sea salty? ${directive({ reasoningTokens: 100, tokenDelayMs: 50, tokens: 30 })}`)
      const block = () => page.locator('[data-testid=message][data-role=assistant]').last().getByTestId('reasoning')
      await block().and(page.locator('[data-state=streaming]')).waitFor({ timeout: 10_000 })
      await expect.poll(async () => (await block().getByTestId('reasoning-text').innerText()).length, { timeout: 10_000 }).toBeGreaterThan(20)

      await page.reload()
      await hydrated(page)
      // Still thinking after the reload: the thought so far at once, then more of it, live.
      await block().and(page.locator('[data-state=streaming]')).waitFor({ timeout: 10_000 })
      const afterReload = (await block().getByTestId('reasoning-text').innerText()).length
      expect(afterReload).toBeGreaterThan(0)
      await expect.poll(async () => (await block().getByTestId('reasoning-text').innerText()).length, { timeout: 10_000 }).toBeGreaterThan(afterReload)
      await shot(page, 'resume-thinking')

      await block().and(page.locator('[data-state=done]')).waitFor({ timeout: 20_000 })
      const shown = await waitForAnswer(page, 2)
      const stored = (await storedChat(user, chatId)).messages.at(-1) as unknown as { status: string, content: string, reasoning: string | null }
      expect(stored.status).toBe('complete')
      if (await block().getAttribute('data-open') !== 'true') await block().getByTestId('reasoning-toggle').click()
      expect((await block().getByTestId('reasoning-text').innerText()).trim()).toBe(stored.reasoning)
      // What the resumed page shows is what a fresh load of the stored answer shows.
      await page.reload()
      await hydrated(page)
      const fresh = await waitForAnswer(page, 2)
      expect(fresh[1]!.text).toBe(shown[1]!.text)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('shows the live answer in a second tab, stops it from there, and both tabs end the same', async () => {
    const user = await apiUser()
    const { context, page: first, pageErrors } = await newContext(browser, { user })
    try {
      await open(first, '/')
      const chatId = await startChat(first, `Another long story ${LONG}`)
      await answerHasWords(first, 10)
      const second = await context.newPage()
      await open(second, `/chat/${chatId}`)
      await answerHasWords(second, 25)
      await second.getByTestId('stop-button').click()
      for (const page of [first, second]) {
        await page.locator('[data-testid=message][data-role=assistant][data-status=aborted]').waitFor({ timeout: 10_000 })
        await expect.poll(() => page.getByTestId('stop-button').count()).toBe(0)
      }
      const stored = await storedAnswer(user, chatId)
      expect(stored.status).toBe('aborted')
      const [a, b] = [await shownMessages(first), await shownMessages(second)]
      expect(b).toEqual(a)
      expect(a[1]!.text.length).toBeGreaterThan(0)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('shows an answer asked in another tab in a tab that already had the chat open', async () => {
    const user = await apiUser()
    const chat = await user.createChat('Open in two tabs')
    const { context, page: watcher, pageErrors } = await newContext(browser, { user })
    try {
      await open(watcher, `/chat/${chat.id}`)
      const asker = await context.newPage()
      await open(asker, `/chat/${chat.id}`)
      const input = asker.getByTestId('composer-input')
      await input.fill(`Asked in the other tab ${directive('long:60')}`)
      await input.press('Enter')
      const done = await waitForAnswer(asker, 2)
      await expect.poll(() => shownMessages(watcher), { timeout: 15_000 }).toEqual(done)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('finishes the answer of a closed tab: the sidebar shows it answering, then unread, and the chat has it complete', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      const chatId = await startChat(page, `Write while I am away ${LONG}`)
      await answerHasWords(page, 5)
      await page.close()

      const other = await context.newPage()
      await open(other, '/')
      const item = other.locator(`[data-testid=chat-item][data-chat-id="${chatId}"]`)
      await item.getByTestId('chat-item-answering').waitFor()
      await shot(other, 'sidebar-answering')
      await item.getByTestId('chat-item-unread').waitFor({ timeout: 20_000 })
      await expect.poll(() => item.getByTestId('chat-item-answering').count()).toBe(0)
      await shot(other, 'sidebar-unread')
      const stored = await storedAnswer(user, chatId)
      expect(stored.status).toBe('complete')

      await item.getByTestId('chat-item-link').click()
      await other.waitForURL(new RegExp(`/chat/${chatId}$`))
      const shown = await waitForAnswer(other, 2)
      expect(shown.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
      expect(shown[1]!.text.length).toBeGreaterThan(100)
      await expect.poll(() => item.getByTestId('chat-item-unread').count()).toBe(0)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('opens a chat longer than one page mid-answer on its newest page, the answer live at its end, and the earlier pages still load', async () => {
    const user = await apiUser()
    const count = LIMITS.chatPageMessages + 12
    const made = await user.fetch('/api/chats', {
      method: 'POST',
      body: { title: 'long and answering', messages: Array.from({ length: count }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i}` })) },
    })
    const { id } = await made.json() as { id: number }
    // Asked over the API, which leaves after a few words: the answer goes on without it.
    await readUiStream(await user.chat(id, [{ role: 'user', content: `One more, at length ${LONG}` }]), { stopAfterDeltas: 5 })
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${id}`)
      const messages = page.getByTestId('message')
      expect(await messages.count()).toBe(LIMITS.chatPageMessages)
      expect(await messages.last().getAttribute('data-role')).toBe('assistant')
      const { seen, status } = await recordRenderings(page)
      expect(status).toBe('complete')
      expect(seen.length, 'the answer grew live on the opened page').toBeGreaterThanOrEqual(2)
      expect(await messages.count()).toBe(LIMITS.chatPageMessages)
      expect((await storedAnswer(user, id)).status).toBe('complete')
      await page.getByTestId('load-earlier').click()
      await expect.poll(() => messages.count()).toBe(count + 2)
      expect(await messages.first().innerText()).toContain('message 0')
      expect(await messages.last().getAttribute('data-status')).toBe('complete')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
