// Keyboard helpers: where focus is, and Tab (or Shift+Tab) until it reaches an element.
import type { Page } from 'playwright-core'

export interface Focused {
  tag: string
  testid: string | null
  /** The accessible name as far as attributes and text tell it. */
  name: string
  /** Inside an open dialog (role="dialog"). */
  inDialog: boolean
  /** The page lost it: focus is on <body> or nowhere. */
  lost: boolean
  /** The element shows a keyboard focus indicator (:focus-visible with an outline or ring). */
  indicated: boolean
}

/** What has focus now. */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(async () => {
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve))
    // Styles that transition are read at their end: a ring that grows in over 150 ms reads as
    // no ring half-way, and on a loaded machine the frames after the focus change come late.
    await frame()
    for (const animation of document.getAnimations()) {
      if (animation instanceof CSSTransition) animation.finish()
    }
    await frame()
    const element = document.activeElement as HTMLElement | null
    const lost = !element || element === document.body || element === document.documentElement
    const testid = element?.closest<HTMLElement>('[data-testid]')?.dataset.testid ?? null
    let indicated = false
    if (element && !lost) {
      const transparent = (color: string) => color === 'transparent' || /^rgba\(.*,\s*0\)$|\/\s*0\)$/.test(color)
      const outline = (style: CSSStyleDeclaration) => style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 1 && !transparent(style.outlineColor)
      // A ring is a box-shadow layer with a spread (Tailwind's ring-*), unlike a drop shadow.
      const ring = (style: CSSStyleDeclaration) => style.boxShadow !== 'none' && style.boxShadow.split(/,(?![^(]*\))/).some((layer) => {
        const lengths = [...layer.matchAll(/(-?[\d.]+)px/g)].map(match => Number(match[1]))
        return (lengths[3] ?? 0) >= 1 && !/rgba\([^)]*,\s*0\)|\/\s*0\)/.test(layer)
      })
      // A text field may leave the ring to its wrapper (focus-within), as the composer does.
      const field = element.matches('input, textarea')
      const candidates = field ? [element, element.parentElement, element.parentElement?.parentElement] : [element]
      indicated = element.matches(':focus-visible') && candidates.some(node => node && (outline(getComputedStyle(node)) || ring(getComputedStyle(node))))
    }
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      testid,
      name: (element?.getAttribute('aria-label') ?? element?.textContent ?? '').trim().slice(0, 80),
      inDialog: !!element?.closest('[role=dialog]'),
      lost,
      indicated,
    }
  })
}

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector`; every stop on the way
 * must show where focus is. Fails after `max` presses.
 */
export async function tabTo(page: Page, selector: string, options: { backwards?: boolean, max?: number } = {}): Promise<Focused[]> {
  const stops: Focused[] = []
  for (let press = 0; press < (options.max ?? 40); press++) {
    await page.keyboard.press(options.backwards ? 'Shift+Tab' : 'Tab')
    const now = await focused(page)
    stops.push(now)
    if (await page.evaluate(target => document.activeElement?.matches(target) ?? false, selector)) return stops
  }
  throw new Error(`Tab did not reach ${selector}; stops: ${stops.map(stop => stop.testid ?? `${stop.tag}:${stop.name}`).join(' → ')}`)
}

/** Moves the keyboard's starting point to the top of the document, as a fresh page load would. */
export async function focusDocumentStart(page: Page): Promise<void> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur()
    document.body.tabIndex = -1
    document.body.focus()
    document.body.removeAttribute('tabindex')
  })
}
