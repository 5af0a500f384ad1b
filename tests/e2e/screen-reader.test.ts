// What a screen reader gets: a few polite announcements per answer (not one per token), errors
// spoken at once, and an accessibility tree that names messages, models and code blocks.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEFAULT_MODEL_NAME, findLiveModel, LIVE_MODELS } from '../../shared/contract/models.ts'
import { apiUser, ARTIFACTS, directive, launchChromium, newContext, open, shot, startChat, waitForAnswer } from './support.ts'
import { answeredChat, LONG_MARKDOWN_ANSWER, savedChat } from './a11y/pages.ts'

/** How the answering model is named: by its catalogue label. */
const defaultLabel = findLiveModel(DEFAULT_MODEL_NAME)!.label

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** Starts recording what the polite live region says, and how often the answer's text changes. */
async function listen(page: Page): Promise<void> {
  await page.evaluate(() => {
    const region = document.querySelector('[data-testid=live-region]')!
    const record = { said: [] as string[], answerChanges: 0 }
    Object.assign(window, { __record: record })
    new MutationObserver(() => {
      const text = region.textContent?.trim()
      if (text) record.said.push(text)
    }).observe(region, { childList: true, characterData: true, subtree: true })
    new MutationObserver(() => { record.answerChanges++ }).observe(document.querySelector('main')!, { childList: true, characterData: true, subtree: true })
  })
}

function heard(page: Page): Promise<{ said: string[], answerChanges: number }> {
  return page.evaluate(() => (window as unknown as { __record: { said: string[], answerChanges: number } }).__record)
}

describe('screen readers', () => {
  it('hear that Neptun is thinking, then "Answer complete" and the answer once, not token by token', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await listen(page)
      await startChat(page, `Tell me about Neptune ${directive({ reply: 'Neptune is the **eighth** planet.\n\n- cold\n- windy', tokenDelayMs: 60 })}`)
      await waitForAnswer(page, 2)
      await expect.poll(async () => (await heard(page)).said.at(-1) ?? '', { timeout: 5000 }).toMatch(/^Answer complete\./)
      const { said, answerChanges } = await heard(page)
      expect(said.at(-1)).toBe('Answer complete. Neptune is the eighth planet. cold windy')
      expect(said.length, `announcements: ${JSON.stringify(said)}`).toBeLessThanOrEqual(3)
      expect(answerChanges, 'the answer itself changed many times meanwhile').toBeGreaterThan(said.length * 2)
      // No live region wraps the messages: streaming tokens are never read out as they come.
      expect(await page.locator('[aria-live] [data-testid=message-list], [role=log] [data-testid=message-list]').count()).toBe(0)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('hear a reasoning model think until its answer starts, never its thinking token by token', async () => {
    const thinker = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'think-tags')!
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await page.getByTestId('model-picker').click()
      await page.locator(`[data-testid=model-option][data-model="${thinker.name}"]`).click()
      await listen(page)
      // What the thinking block showed at each announcement.
      await page.evaluate(() => {
        const record = (window as unknown as { __record: { said: string[], states: string[] } }).__record
        record.states = []
        new MutationObserver(() => {
          if (record.states.length < record.said.length)
            record.states.push(document.querySelector<HTMLElement>('[data-testid=reasoning]')?.dataset.state ?? 'none')
        }).observe(document.querySelector('[data-testid=live-region]')!, { childList: true, characterData: true, subtree: true })
      })
      await startChat(page, `Why is the sky blue? ${directive({ reasoningTokens: 40, tokens: 12, tokenDelayMs: 40 })}`)
      await waitForAnswer(page, 2)
      await expect.poll(async () => (await heard(page)).said.at(-1) ?? '', { timeout: 5000 }).toMatch(/^Answer complete\./)
      const { said, states } = await page.evaluate(() => (window as unknown as { __record: { said: string[], states: string[] } }).__record)
      expect(said.map(text => text.replace(/\..*$/s, '.'))).toEqual(['Neptun is thinking…', 'Neptun is answering…', 'Answer complete.'])
      // "Answering" only once the thinking was over, and the final words leave the thinking out.
      expect(states[1]).toBe('done')
      expect(said.at(-1)).toContain('Emulated reply')
      expect(said.at(-1)).not.toContain('Thinking about')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('hear the thinking state first, and "Answer stopped" with what was written after a stop', async () => {
    const user = await apiUser()
    const { context, page } = await newContext(browser, { user })
    try {
      await open(page, '/')
      await startChat(page, `Write a very long story ${directive('long:400')}`)
      await listen(page)
      await page.waitForFunction(() => (document.querySelector('[data-testid=message][data-role=assistant] .chat-markdown')?.textContent ?? '').split(' ').length > 8)
      await page.keyboard.press('Escape')
      await page.locator('[data-testid=message][data-role=assistant][data-status=aborted]').waitFor()
      await expect.poll(async () => (await heard(page)).said.at(-1) ?? '', { timeout: 5000 }).toMatch(/^Answer stopped\. Emulated reply/)
    }
    finally {
      await context.close()
    }
  })

  it('hear errors at once: the alert is role="alert", in the user\'s language', async () => {
    const user = await apiUser()
    for (const [locale, title] of [['en-US', 'Rate limited'], ['de-DE', 'Anfragelimit erreicht']] as const) {
      const { context, page } = await newContext(browser, { user, locale })
      try {
        await open(page, '/')
        await startChat(page, `Busy? ${directive('429')}`)
        const alert = page.getByRole('alert').filter({ has: page.getByTestId('retry-button') })
        await alert.waitFor()
        expect(await alert.getAttribute('data-testid')).toBe('chat-error')
        expect(await alert.innerText()).toContain(title)
      }
      finally {
        await context.close()
      }
    }
  })

  it('find messages named by who wrote them (the model by name), code blocks by language, tables as regions', async () => {
    const user = await apiUser()
    const path = await answeredChat(user, LONG_MARKDOWN_ANSWER)
    for (const locale of ['en-US', 'de-DE'] as const) {
      const { context, page } = await newContext(browser, { user, locale })
      try {
        await open(page, path)
        await page.locator('[data-testid=code-block] .shiki').first().waitFor()
        const tree = await page.getByTestId('message-list').ariaSnapshot()
        writeFileSync(join(ARTIFACTS, `aria-snapshot-${locale}.yml`), `${tree}\n`)
        const words = locale === 'en-US'
          ? { user: 'You said:', model: `Neptun (${defaultLabel}) answered:`, ts: 'Code block, ts', py: 'Copy python code', table: 'Table', copy: 'Copy message' }
          : { user: 'Du hast geschrieben:', model: `Neptun (${defaultLabel}) hat geantwortet:`, ts: 'Codeblock, ts', py: 'python-Code kopieren', table: 'Tabelle', copy: 'Nachricht kopieren' }
        expect(tree).toContain(`- article "${words.user}"`)
        expect(tree).toContain(`- heading "${words.user}" [level=2]`)
        expect(tree).toContain(`- article "${words.model}"`)
        expect(tree).toContain(`- figure "${words.ts}"`)
        expect(tree).toContain(`- button "${words.py}"`)
        expect(tree).toContain(`- region "${words.table}"`)
        expect(tree).toContain(`- button "${words.copy}"`)
        // The answer's own headings sit below the message's level-2 heading.
        expect(tree).toMatch(/- heading "Streaming HTTP responses" \[level=3\]/)
        expect(tree).toMatch(/- heading "How it works" \[level=4\]/)
        await shot(page, `aria-${locale}`)
      }
      finally {
        await context.close()
      }
    }
  })

  it('do not hear a model named for an answer whose model is unknown (an imported conversation)', async () => {
    const user = await apiUser()
    const { context, page } = await newContext(browser, { user })
    try {
      await open(page, await savedChat(user, 'An answer from elsewhere.'))
      const tree = await page.getByTestId('message-list').ariaSnapshot()
      expect(tree).toContain('- article "Neptun answered:"')
      expect(tree).not.toContain(DEFAULT_MODEL_NAME)
      expect(tree).not.toContain(defaultLabel)
    }
    finally {
      await context.close()
    }
  })
})
