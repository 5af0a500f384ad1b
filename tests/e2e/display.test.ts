// How the page holds up under the user's display settings: reduced motion, 200 % zoom, a 320 px
// wide screen, and forced colours (Windows High Contrast).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiUser, launchChromium, newContext, open, shot, type ContextOptions } from './support.ts'
import { axeViolations, describeViolations, isBlocking } from './a11y/axe.ts'
import { LONG_MARKDOWN_ANSWER, savedChat } from './a11y/pages.ts'
import { focusDocumentStart, tabTo } from './a11y/keyboard.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** A chat long enough to scroll, so "Jump to latest" can appear. */
function longChat(): string {
  return Array.from({ length: 12 }, () => LONG_MARKDOWN_ANSWER).join('\n\n')
}

/** Scrolls the messages to the top and jumps back with the button; the distance left right after the press. */
async function jumpDistanceRightAfterPress(page: Page): Promise<number> {
  const scroller = page.getByTestId('message-scroller')
  await scroller.evaluate((element) => { element.scrollTop = 0; element.dispatchEvent(new Event('scroll')) })
  await page.getByTestId('jump-to-latest').waitFor()
  await page.getByTestId('jump-to-latest').focus()
  await page.keyboard.press('Enter')
  return scroller.evaluate(element => element.scrollHeight - element.clientHeight - element.scrollTop)
}

/** The checks of a narrow or zoomed screen: nothing scrolls sideways, and the composer is usable. */
async function expectReflow(page: Page, what: string): Promise<void> {
  const layout = await page.evaluate(() => {
    const box = (selector: string) => document.querySelector(selector)?.getBoundingClientRect() ?? null
    return {
      width: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      composer: box('#composer-input'),
      send: box('[data-testid=send-button]'),
    }
  })
  expect(layout.scrollWidth, `${what}: no horizontal scrolling`).toBeLessThanOrEqual(layout.width)
  for (const control of [layout.composer, layout.send]) {
    if (!control) continue
    expect(control.left, what).toBeGreaterThanOrEqual(0)
    expect(control.right, what).toBeLessThanOrEqual(layout.width)
  }
}

describe('display settings', () => {
  it('honours reduced motion: no transitions, no animation, no smooth scrolling', async () => {
    const user = await apiUser()
    const path = await savedChat(user, longChat())
    const distances: Record<string, number> = {}
    for (const reducedMotion of ['no-preference', 'reduce'] as const) {
      const { context, page } = await newContext(browser, { user, reducedMotion })
      try {
        await open(page, path)
        distances[reducedMotion] = await jumpDistanceRightAfterPress(page)
        if (reducedMotion === 'reduce') {
          const durations = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid=composer], button')]
            .map(element => Number.parseFloat(getComputedStyle(element).transitionDuration)))
          expect(Math.max(...durations), 'transitions are instant').toBeLessThan(0.001)
        }
      }
      finally {
        await context.close()
      }
    }
    // The same press animates without the setting and lands at once with it.
    expect(distances['no-preference']).toBeGreaterThan(100)
    expect(distances.reduce).toBeLessThanOrEqual(1)
  })

  const SCREENS: { name: string, options: ContextOptions }[] = [
    { name: '320 px wide', options: { viewport: { width: 320, height: 640 }, mobile: true } },
    // A 1280 × 800 window at 200 % zoom lays out as 640 × 400 CSS pixels, twice as dense.
    { name: '200 % zoom', options: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 } },
  ]

  it.each(SCREENS)('reflows at $name: no sideways scrolling, the composer usable, axe clean', async ({ name, options }) => {
    const user = await apiUser()
    const chatPath = await savedChat(user, LONG_MARKDOWN_ANSWER)
    for (const [path, signedIn] of [['/login', false], ['/signup', false], [chatPath, true], ['/playground', true]] as const) {
      const { context, page } = await newContext(browser, { ...options, user: signedIn ? user : undefined, reducedMotion: 'reduce' })
      try {
        await open(page, path)
        await page.waitForLoadState('networkidle')
        await expectReflow(page, `${name} ${path}`)
        const blocking = (await axeViolations(page)).filter(isBlocking)
        expect(blocking, `${name} ${path}\n${describeViolations(blocking)}`).toEqual([])
        if (path === chatPath) {
          // Wide content scrolls inside its own box, not the page.
          const code = await page.locator('[data-testid=code-block]').first().boundingBox()
          expect(code!.x + code!.width).toBeLessThanOrEqual(options.viewport!.width)
          await shot(page, `reflow-${name.replace(/\W+/g, '-')}`)
        }
      }
      finally {
        await context.close()
      }
    }
  })

  it('keeps every control visible in forced colours, icons and focus included', async () => {
    const user = await apiUser()
    const { context, page } = await newContext(browser, { user, forcedColors: 'active', reducedMotion: 'reduce' })
    try {
      await open(page, await savedChat(user, LONG_MARKDOWN_ANSWER))
      await page.locator('[data-testid=code-block] .shiki').first().waitFor()
      expect(await page.evaluate(() => matchMedia('(forced-colors: active)').matches)).toBe(true)
      // Icon-only controls show their icon: a mask painted in the control's text colour, not in Canvas.
      const invisible = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('button, a[href]')]
        .filter(control => control.offsetParent !== null && !control.textContent?.trim())
        .filter((control) => {
          const icon = control.querySelector<HTMLElement>('.iconify, svg')
          if (!icon) return true
          const iconStyle = getComputedStyle(icon)
          const paint = icon.tagName === 'svg' ? iconStyle.fill : iconStyle.backgroundColor
          return paint === getComputedStyle(document.body).backgroundColor || paint === 'rgba(0, 0, 0, 0)'
        })
        .map(control => control.getAttribute('aria-label') ?? control.outerHTML.slice(0, 80)))
      expect(invisible).toEqual([])
      // Focus shows as a system-colour outline on every stop.
      await focusDocumentStart(page)
      const stops = await tabTo(page, '#composer-input', { max: 80 })
      expect(stops.filter(stop => !stop.indicated).map(stop => stop.testid ?? stop.name)).toEqual([])
      await shot(page, 'forced-colors')
    }
    finally {
      await context.close()
    }
  })
})
