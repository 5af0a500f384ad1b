// axe-core on every page of tests/e2e/a11y/pages.ts, in both themes and both languages: a serious
// or critical WCAG 2.2 A/AA violation fails the suite. The counts land in
// tests/artifacts/e2e/axe-report.json, moderate and minor ones included.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { apiUser, ARTIFACTS, hydrated, launchChromium, newContext, open } from './support.ts'
import { axeViolations, describeViolations, isBlocking, type AxeViolation } from './a11y/axe.ts'
import { A11Y_PAGES } from './a11y/pages.ts'
import { LOCALES } from '../../shared/contract/locales.ts'

/** Every language the UI speaks (chosen by the browser's language), each in both themes. */
const VARIANTS = LOCALES.flatMap(({ language }) => (['light', 'dark'] as const).map(theme => ({ theme, locale: language })))

const report: { page: string, theme: string, locale: string, blockingRules: number, blockingNodes: number, rules: string[] }[] = []

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => {
  await browser?.close()
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(join(ARTIFACTS, 'axe-report.json'), `${JSON.stringify(report, null, 2)}\n`)
})

describe.each(A11Y_PAGES)('axe on $name', (target) => {
  it.each(VARIANTS)('has no serious or critical violation ($theme, $locale)', async ({ theme, locale }) => {
    const user = target.signedIn ? await apiUser() : undefined
    // Reduced motion: axe judges the settled page, not a dialog halfway through fading in.
    const { context, page, pageErrors } = await newContext(browser, { user, colorScheme: theme, locale, reducedMotion: 'reduce' })
    try {
      const path = typeof target.path === 'string' ? target.path : await target.path(user!)
      await open(page, path)
      await page.waitForLoadState('networkidle')
      await target.ready?.(page)
      await hydrated(page)
      // The page really is in that language, and says so.
      expect(await page.locator('html').getAttribute('lang')).toBe(locale)
      const violations: AxeViolation[] = await axeViolations(page)
      const blocking = violations.filter(isBlocking)
      report.push({
        page: target.name, theme, locale,
        blockingRules: blocking.length,
        blockingNodes: blocking.reduce((sum, violation) => sum + violation.nodes.length, 0),
        rules: violations.map(violation => `${violation.impact}:${violation.id}(${violation.nodes.length})`),
      })
      expect(blocking, describeViolations(blocking)).toEqual([])
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
