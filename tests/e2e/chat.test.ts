// Streaming after signing up, stop, regenerate and edit-and-resend,
// each checked again after a reload against what the user saw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import {
  apiUser, directive, emulatorControl, emulatorUrl, launchChromium, newContext, open, reload, send, shot,
  shownMessages, signUpInBrowser, startChat, storedChat, waitForAnswer, type ShownMessage,
} from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

describe('chat in the browser', () => {
  it('signs up through /signup, streams the answer token by token, and shows the same conversation after a reload', async () => {
    const { context, page, pageErrors } = await newContext(browser)
    try {
      await signUpInBrowser(page)
      await startChat(page, `Tell me about Neptune ${directive('long:60')}`)

      // Record every distinct rendering of the answer, in the page, until it is complete.
      const answer = page.locator('[data-testid=message][data-role=assistant]')
      await answer.first().waitFor()
      const renderings = await page.evaluate(async () => {
        const seen: string[] = []
        const deadline = Date.now() + 20_000
        for (;;) {
          const el = document.querySelector<HTMLElement>('[data-testid=message][data-role=assistant]')
          const text = el?.querySelector<HTMLElement>('.chat-markdown')?.textContent ?? ''
          if (text && text !== seen.at(-1)) seen.push(text)
          if (el?.dataset.status === 'complete' || Date.now() > deadline) return { seen, status: el?.dataset.status }
          await new Promise(resolve => requestAnimationFrame(resolve))
        }
      })
      expect(renderings.status).toBe('complete')
      const final = await answer.locator('.chat-markdown').textContent()
      expect(renderings.seen.at(-1)).toBe(final)
      const intermediate = renderings.seen.slice(0, -1)
      expect(intermediate.length, `renderings: ${JSON.stringify(renderings.seen)}`).toBeGreaterThanOrEqual(2)
      // Each rendering grows the previous one; none is the final text.
      // Markup still open mid-stream shows literally ("**Emulated" before its closing "**").
      const plain = (text: string) => text.replace(/[*_`#]/g, '')
      for (const text of intermediate) {
        expect(text.length).toBeLessThan(final!.length)
        expect(plain(final!).startsWith(plain(text).trimEnd().slice(0, 10)), `rendering ${JSON.stringify(text.slice(0, 40))}`).toBe(true)
      }
      expect(final).toContain('Emulated reply')

      const before = await waitForAnswer(page, 2)
      expect(before.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
      expect(before[0]!.text).toContain('Tell me about Neptune')
      await reload(page)
      expect(await shownMessages(page)).toEqual(before)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('keeps the partial answer after stop and a reload: everything shown is still shown', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, '/')
      const chatId = await startChat(page, `Write a very long story ${directive('long:400')}`)
      const answer = page.locator('[data-testid=message][data-role=assistant]')
      await page.locator('[data-testid=message][data-role=assistant][data-status=streaming] .chat-markdown').waitFor()
      // Let a few words arrive, then stop.
      await page.waitForFunction(() => (document.querySelector('[data-testid=message][data-role=assistant] .chat-markdown')?.textContent ?? '').split(' ').length > 12)
      await shot(page, 'chat-streaming')
      await page.getByTestId('stop-button').click()
      await page.locator('[data-testid=message][data-role=assistant][data-status=aborted]').waitFor()
      await expect.poll(() => page.getByTestId('stop-button').count()).toBe(0)

      const shown = await shownMessages(page)
      expect(shown.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:aborted'])
      const partial = shown[1]!.text
      expect(partial.length).toBeGreaterThan(0)
      expect(await answer.getByTestId('message-status-badge').innerText()).toMatch(/stopped/i)

      // The server stopped the upstream request and stored the partial answer as aborted.
      const stored = await storedChat(user, chatId)
      expect(stored.messages.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:aborted'])
      const record = await emulatorControl(emulatorUrl()).waitForRequest(r => JSON.stringify(r.body).includes('Write a very long story') && r.outcome !== 'in-progress')
      expect(record.outcome).toBe('client-closed')

      // A little later the stream cannot have grown behind the user's back.
      await page.waitForTimeout(300)
      expect(await shownMessages(page)).toEqual(shown)

      await reload(page)
      const after = await shownMessages(page)
      expect(after.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:aborted'])
      expect(after[0]).toEqual(shown[0])
      // Exactly what was shown is still shown: the stop went through the server's stop route, so
      // the server ended the stream after the last token it stored.
      expect(after[1]).toEqual(shown[1])
      expect(await page.getByTestId('message-status-badge').innerText()).toMatch(/stopped/i)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('regenerate, and edit and resend: after each, a reload shows exactly what was shown', async () => {
    const user = await apiUser()
    const emulator = emulatorControl(emulatorUrl())
    const { context, page, pageErrors } = await newContext(browser, { user })
    const roleTexts = (messages: ShownMessage[]) => messages.map(m => `${m.role}:${m.status}:${m.text}`)
    try {
      await open(page, '/')
      const chatId = await startChat(page, `First question ${directive({ reply: 'First answer, version one.' })}`)
      await waitForAnswer(page, 2)
      await send(page, `Second question ${directive({ reply: 'Second answer, version one.' })}`)
      const twoTurns = await waitForAnswer(page, 4)
      expect(twoTurns.map(m => m.text.replace(/\s*\[\[emulator:.*\]\]$/, ''))).toEqual([
        'First question', 'First answer, version one.', 'Second question', 'Second answer, version one.',
      ])

      // Regenerate the last answer: the queued behaviour wins over the message's directive.
      await emulator.enqueue({ reply: 'Second answer, regenerated.' })
      await page.locator('[data-testid=message][data-role=assistant]').last().hover()
      await page.getByTestId('regenerate-button').click()
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=message]')].at(-1)?.querySelector('.chat-markdown')?.textContent?.includes('regenerated'), null, { timeout: 20_000 })
      const regenerated = await waitForAnswer(page, 4)
      expect(roleTexts(regenerated)).toEqual([
        ...roleTexts(twoTurns.slice(0, 3)),
        'assistant:complete:Second answer, regenerated.',
      ])
      await reload(page)
      expect(roleTexts(await shownMessages(page)), 'after regenerate + reload').toEqual(roleTexts(regenerated))
      expect((await storedChat(user, chatId)).messages.map(m => m.content).at(-1)).toBe('Second answer, regenerated.')

      // Edit the first question: everything after it goes, the edit is answered.
      const firstUser = page.locator('[data-testid=message][data-role=user]').first()
      await firstUser.hover()
      await firstUser.getByTestId('edit-button').click()
      await page.getByTestId('edit-input').fill(`Edited first question ${directive({ reply: 'Answer to the edited question.' })}`)
      await page.getByTestId('edit-submit').click()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=message]').length === 2
        && [...document.querySelectorAll('[data-testid=message]')].at(-1)?.querySelector('.chat-markdown')?.textContent?.includes('edited question'), null, { timeout: 20_000 })
      const edited = await waitForAnswer(page, 2)
      expect(edited.map(m => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:complete'])
      expect(edited[0]!.text).toMatch(/^Edited first question/)
      expect(edited[1]!.text).toBe('Answer to the edited question.')
      await reload(page)
      expect(roleTexts(await shownMessages(page)), 'after edit + reload').toEqual(roleTexts(edited))
      const stored = await storedChat(user, chatId)
      expect(stored.messages.map(m => m.role)).toEqual(['user', 'assistant'])
      expect(stored.messages[1]!.content).toBe('Answer to the edited question.')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
