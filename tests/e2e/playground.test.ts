// The playground stores nothing, even across a reload, until
// "Save as chat" stores the conversation and opens it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import {
  apiUser, chatList, directive, emulatorControl, emulatorUrl, launchChromium, newContext, open, reload, send,
  shot, shownMessages, storedChat, waitForAnswer,
} from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

describe('playground', () => {
  it('stores nothing (also after a reload), and "Save as chat" stores the conversation', async () => {
    const user = await apiUser()
    const existing = await user.createChat('An older chat')
    const listBefore = await chatList(user)
    expect(listBefore.map(c => c.id)).toEqual([existing.id])

    const { context, page, pageErrors, dialogs } = await newContext(browser, { user })
    try {
      await open(page, '/playground')
      await page.getByTestId('playground-marker').waitFor()
      expect(await page.getByTestId('playground-marker').innerText()).toMatch(/not saved/i)

      await send(page, `Playground question ${directive({ reply: 'A playground answer.' })}`)
      const shown = await waitForAnswer(page, 2)
      expect(shown.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
      expect(shown[1]!.text).toBe('A playground answer.')
      const record = await emulatorControl(emulatorUrl()).waitForRequest(r => JSON.stringify(r.body).includes('Playground question'))
      expect(record.outcome).toBe('completed')
      // The request went to the playground endpoint, which keeps nothing.
      expect(await chatList(user)).toEqual(listBefore)
      await shot(page, 'playground')

      await reload(page)
      await page.getByTestId('playground-marker').waitFor()
      expect(await page.getByTestId('message').count()).toBe(0)
      expect(await chatList(user), 'nothing was stored by the playground').toEqual(listBefore)
      expect((await storedChat(user, existing.id)).messages).toEqual([])

      // A new conversation, then "Save as chat".
      await send(page, `Keep this one ${directive({ reply: 'Worth keeping.' })}`)
      await waitForAnswer(page, 2)
      await page.getByTestId('save-as-chat').click()
      await page.waitForURL(/\/chat\/\d+$/)
      const chatId = Number(new URL(page.url()).pathname.split('/').pop())
      await page.locator('[data-testid=message]').nth(1).waitFor()

      const listAfter = await chatList(user)
      expect(listAfter.map(c => c.id)).toEqual([chatId, existing.id])
      const stored = await storedChat(user, chatId)
      expect(stored.messages.map(m => [m.role, m.content])).toEqual([
        ['user', `Keep this one ${directive({ reply: 'Worth keeping.' })}`],
        ['assistant', 'Worth keeping.'],
      ])
      const saved = await shownMessages(page)
      expect(saved.map(m => `${m.role}:${m.text}`)).toEqual([
        `user:Keep this one ${directive({ reply: 'Worth keeping.' })}`,
        'assistant:Worth keeping.',
      ])
      await expect.poll(() => page.locator(`[data-testid=chat-item][data-chat-id="${chatId}"]`).count()).toBe(1)
      // Saving navigates on purpose: no "leave the playground?" prompt.
      expect(dialogs).toEqual([])
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
