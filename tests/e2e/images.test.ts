// Images in the browser: pasted into the composer, shown as removable thumbnails, scaled down
// on a canvas before upload, sent to a vision model (the emulator says what it saw), and shown
// in the conversation again after a reload, served by the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { AllowedCloudflareModelNames, IMAGE_LIMITS, type ChatSummary, type ChatWithMessages } from '../../shared/contract/index.ts'
import { png } from '../support/images.ts'
import { apiUser, launchChromium, newContext, open, reload, shot, waitForAnswer } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** Pastes `bytes` as an image file into the composer, as a clipboard paste does. */
async function pasteImage(page: Page, bytes: Buffer, name: string): Promise<void> {
  await page.getByTestId('composer-input').evaluate((input, { base64, name }) => {
    const data = Uint8Array.from(atob(base64), char => char.charCodeAt(0))
    const transfer = new DataTransfer()
    transfer.items.add(new File([data], name, { type: 'image/png' }))
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }))
  }, { base64: bytes.toString('base64'), name })
}

describe('images in a chat', () => {
  it('pastes an image, scales it down, sends it to a vision model, and shows it again after a reload', async () => {
    const user = await apiUser()
    const created = await user.fetch('/api/chats', { method: 'POST', body: { title: 'Pictures', model: AllowedCloudflareModelNames.CloudflareLlamaScout } })
    const chat = await created.json() as ChatSummary
    const { context, page, pageErrors } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${chat.id}`)
      // Wider than the browser sends: it arrives scaled to IMAGE_LIMITS.maxImageSide.
      await pasteImage(page, png(3000, 200), 'wide.png')
      await pasteImage(page, png(2, 2), 'tiny.png')
      await expect.poll(() => page.getByTestId('composer-thumbnail').count()).toBe(2)
      await page.getByRole('button', { name: /tiny\.png/ }).click()
      await expect.poll(() => page.getByTestId('composer-thumbnail').count()).toBe(1)
      await shot(page, 'image-attached')

      const input = page.getByTestId('composer-input')
      await input.fill('What is in this picture?')
      await input.press('Enter')
      const shown = await waitForAnswer(page, 2)
      const height = Math.round(200 * IMAGE_LIMITS.maxImageSide / 3000)
      expect(shown[1]!.text).toContain(`I see 1 image: image/png ${IMAGE_LIMITS.maxImageSide}x${height}`)
      expect(await page.getByTestId('composer-thumbnail').count()).toBe(0)

      const stored = await (await user.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages
      expect(stored.messages[0]!.files).toMatchObject([{ mediaType: 'image/png', width: IMAGE_LIMITS.maxImageSide, height }])

      await reload(page)
      const image = page.getByTestId('message-image')
      await expect.poll(() => image.count()).toBe(1)
      expect(await image.getAttribute('src')).toBe(stored.messages[0]!.files![0]!.url)
      // Loaded from the app with the user's session: it has its pixels.
      await expect.poll(() => image.evaluate(img => (img as HTMLImageElement).naturalWidth)).toBe(IMAGE_LIMITS.maxImageSide)
      await shot(page, 'image-after-reload')
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })

  it('attaches by the file picker and by dropping on the conversation, and refuses an SVG', async () => {
    const user = await apiUser()
    const created = await user.fetch('/api/chats', { method: 'POST', body: { title: 'Drops', model: AllowedCloudflareModelNames.CloudflareLlamaScout } })
    const chat = await created.json() as ChatSummary
    const { context, page } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${chat.id}`)
      await page.getByTestId('composer-file-input').setInputFiles({ name: 'picked.png', mimeType: 'image/png', buffer: png(5, 5) })
      await expect.poll(() => page.getByTestId('composer-thumbnail').count()).toBe(1)
      await page.getByTestId('chat-drop-zone').evaluate((zone, base64) => {
        const transfer = new DataTransfer()
        transfer.items.add(new File([Uint8Array.from(atob(base64), char => char.charCodeAt(0))], 'dropped.png', { type: 'image/png' }))
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }))
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      }, png(6, 6).toString('base64'))
      await expect.poll(() => page.getByTestId('composer-thumbnail').count()).toBe(2)
      expect(await page.getByTestId('composer-thumbnail').evaluateAll(images => images.map(image => image.getAttribute('alt')))).toEqual(['picked.png', 'dropped.png'])

      await page.getByTestId('composer-file-input').setInputFiles({ name: 'vector.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') })
      await expect.poll(() => page.getByTestId('composer-image-error').innerText()).toContain('vector.svg')
      expect(await page.getByTestId('composer-thumbnail').count()).toBe(2)
    }
    finally {
      await context.close()
    }
  })

  it('tells the user when the chosen model cannot see, and does not send', async () => {
    const user = await apiUser()
    const created = await user.fetch('/api/chats', { method: 'POST', body: { title: 'Blind', model: AllowedCloudflareModelNames.CloudflareLlama } })
    const chat = await created.json() as ChatSummary
    const { context, page } = await newContext(browser, { user })
    try {
      await open(page, `/chat/${chat.id}`)
      await pasteImage(page, png(4, 4), 'blind.png')
      await page.getByTestId('composer-cannot-see').waitFor()
      await page.getByTestId('composer-input').fill('Can you see it?')
      expect(await page.getByTestId('send-button').isDisabled()).toBe(true)
    }
    finally {
      await context.close()
    }
  })
})
