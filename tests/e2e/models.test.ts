// Models in the browser: switching model mid-chat, a reasoning model's thinking streaming in its
// own block and folding to "Thought for …", and after a reload the chat's model, each answer's
// model, its thinking and its cost still there; new chats start with the last used model; the
// usage page adds it up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEFAULT_MODEL_NAME, findLiveModel, LIVE_MODELS } from '../../shared/contract/index.ts'
import { apiUser, directive, launchChromium, newContext, open, reload, send, shot, startChat, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

const llama = findLiveModel(DEFAULT_MODEL_NAME)!
/** A model that writes its thinking into its text, between `<think>` tags. */
const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'think-tags')!

async function pickModel(page: Page, name: string, screenshot?: string): Promise<void> {
  await page.getByTestId('model-picker').click()
  if (screenshot) await shot(page, screenshot)
  await page.locator(`[data-testid=model-option][data-model="${name}"]`).click()
  await expect.poll(() => page.getByTestId('model-picker').getAttribute('data-model')).toBe(name)
}

const answers = (page: Page) => page.locator('[data-testid=message][data-role=assistant]')

describe('models in the browser', () => {
  it('switches model mid-chat, streams the thinking then folds it, and keeps model, thinking and cost after a reload', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      expect(await page.getByTestId('model-picker').getAttribute('data-model')).toBe(llama.name)
      const chatId = await startChat(page, 'Hello')
      await waitForAnswer(page, 2)

      // Switch to the reasoning model for the next turn: its thinking streams slowly enough to watch.
      await pickModel(page, thinker.name, 'model-picker')
      await send(page, `Why is the sky blue? ${directive({ reasoningTokens: 60, tokenDelayMs: 50, tokens: 30 })}`)
      const block = answers(page).nth(1).getByTestId('reasoning')
      await block.and(page.locator('[data-state=streaming]')).waitFor()
      expect(await block.getAttribute('data-open')).toBe('true')
      expect(await block.getByTestId('reasoning-toggle').innerText()).toMatch(/Thinking…/)
      const reasoningText = block.getByTestId('reasoning-text')
      const early = (await reasoningText.innerText()).length
      await expect.poll(async () => (await reasoningText.innerText()).length, { timeout: 10_000 }).toBeGreaterThan(early)
      // No answer text while it thinks.
      expect(await answers(page).nth(1).locator('.chat-markdown').count()).toBe(0)
      await shot(page, 'models-thinking')

      await block.and(page.locator('[data-state=done]')).waitFor({ timeout: 15_000 })
      await expect.poll(() => block.getAttribute('data-open')).toBe('false')
      expect(await block.getByTestId('reasoning-toggle').innerText()).toMatch(/^Thought for /)
      const shown = await waitForAnswer(page, 4)
      expect(shown[3]!.text).toContain('Emulated reply')
      expect(shown[3]!.text).not.toContain('Thinking about')

      await block.getByTestId('reasoning-toggle').click()
      const thought = (await reasoningText.innerText()).trim()
      expect(thought).toMatch(/^Thinking about "Why is the sky blue\?/)

      // On hover, each answer names its model and what it cost.
      await answers(page).nth(1).hover()
      const meta = answers(page).nth(1).getByTestId('message-meta')
      await expect.poll(() => meta.evaluate(el => getComputedStyle(el).opacity)).toBe('1')
      expect(await meta.innerText()).toMatch(new RegExp(`${thinker.label}.*tokens.*Neurons.*\\$`))
      await shot(page, 'models-folded')

      await reload(page)
      expect(await page.getByTestId('model-picker').getAttribute('data-model')).toBe(thinker.name)
      const stored = answers(page).nth(1).getByTestId('reasoning')
      expect(await stored.getAttribute('data-open')).toBe('false')
      expect(await stored.getByTestId('reasoning-toggle').innerText()).toMatch(/^Thought for /)
      await stored.getByTestId('reasoning-toggle').click()
      expect((await stored.getByTestId('reasoning-text').innerText()).trim()).toBe(thought)
      expect(await answers(page).nth(0).getByTestId('message-meta').innerText()).toMatch(new RegExp(`^${llama.label} · .*Neurons · \\$`))
      expect(await answers(page).nth(1).getByTestId('message-meta').innerText()).toMatch(new RegExp(`^${thinker.label} · .*Neurons · \\$`))
      expect(await answers(page).nth(0).getByTestId('reasoning').count()).toBe(0)

      // A new chat starts with the model used last.
      await open(page, '/')
      expect(await page.getByTestId('model-picker').getAttribute('data-model')).toBe(thinker.name)

      // The usage page adds both models up, against the free daily allocation.
      await open(page, '/usage')
      const rows = page.locator('[data-testid=usage-table-today] [data-testid=usage-row]')
      expect((await rows.evaluateAll(elements => elements.map(el => (el as HTMLElement).dataset.model))).sort()).toEqual([llama.name, thinker.name].sort())
      expect(await page.getByTestId('usage-today-figures').innerText()).toMatch(/of 10,000 Neurons · \$/)
      expect(Number(await page.getByTestId('usage-progress').locator('[role=progressbar]').getAttribute('aria-valuenow'))).toBeGreaterThan(0)
      await shot(page, 'usage')
      expect(chatId).toBeGreaterThan(0)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('shows a clear notice when a reasoning model spends its whole budget thinking', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await pickModel(page, thinker.name)
      const budget = thinker.configuration.parameters.max_new_tokens
      await startChat(page, `Think forever ${directive({ reasoningTokens: budget + 10, tokensPerFrame: 1000, tokenDelayMs: 5 })}`)
      await waitForAnswer(page, 2)
      const notice = answers(page).first().getByTestId('cut-off-notice')
      expect(await notice.innerText()).toMatch(/whole budget thinking/)
      await reload(page)
      expect(await answers(page).first().getByTestId('cut-off-notice').innerText()).toMatch(/whole budget thinking/)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
