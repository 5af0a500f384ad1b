// axe-core (Deque's WCAG rules) inside Chromium: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
import axe from 'axe-core'
import type { Page } from 'playwright-core'

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

/** Impacts that fail the suite; moderate and minor ones are reported only. */
export const BLOCKING_IMPACTS = ['serious', 'critical']

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string, html: string, summary: string }[]
}

/**
 * Every WCAG A/AA violation axe finds on the page as it is now. axe is evaluated through the
 * DevTools protocol, so the page's Content-Security-Policy neither blocks it nor needs a hole.
 *
 * @example
 * const blocking = (await axeViolations(page)).filter(isBlocking)
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(axe.source)
  return page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: typeof axe }).axe.run
    const result = await run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return result.violations.map(violation => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map(node => ({ target: node.target.join(' '), html: node.html.slice(0, 240), summary: node.failureSummary ?? '' })),
    }))
  }, WCAG_TAGS)
}

export function isBlocking(violation: AxeViolation): boolean {
  return BLOCKING_IMPACTS.includes(violation.impact ?? '')
}

/** One line per violation and node, for a failure message a person can act on. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.flatMap(violation => [
    `${violation.impact} ${violation.id}: ${violation.help}`,
    ...violation.nodes.map(node => `    ${node.target}  ${node.html}\n      ${node.summary.replace(/\s+/g, ' ')}`),
  ]).join('\n')
}
