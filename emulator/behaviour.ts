// Choosing the fault to inject. Browser tests cannot reach the emulator's
// in-process API, so a directive typed into the chat box can select one.
import type { Behaviour } from './types.ts'
import { CODES, messages as text, DEPRECATED_MODEL } from './wire.ts'
import { TITLE_INSTRUCTIONS } from '../shared/contract/titles.ts'
import { emulatedTitle, XSS_REPLY } from './tokens.ts'

/** Short directive names → behaviours: `[[emulator:429]]`, `[[emulator:long:500]]`, … */
export const ALIASES: Record<string, Behaviour> = {
  '429': { error: { status: 429, code: CODES.capacity, message: text.capacity, retryAfter: 5 } },
  '410': { error: { status: 410, code: CODES.deprecated, message: text.deprecated(DEPRECATED_MODEL) } },
  '500': { error: { status: 500, code: CODES.internal, message: text.internal } },
  '401': { error: { status: 401, code: CODES.authError, message: text.authError } },
  drop: { dropAfterTokens: 5 },
  stall: { stall: 'before-first-token' },
  'stall-mid': { stall: 5 },
  malformed: { malformedAfterTokens: 5 },
  slow: { tokenDelayMs: 200 },
  xss: { reply: XSS_REPLY },
  'omit-done': { omitDone: true },
  refuse: { refuse: true },
  'success-false': { successFalseWith200: true },
}

const MARK = '[[emulator:'

/**
 * The directive that selects `behaviour` (or an alias such as `429` or `long:500`), to put in
 * the last user message: parseDirective's inverse.
 */
export function directive(behaviour: Behaviour | Record<string, unknown> | string): string {
  return `${MARK}${typeof behaviour === 'string' ? behaviour : JSON.stringify(behaviour)}]]`
}

/** Resolve an alias name (including the parameterised `long:N`); null when unknown. */
export function aliasBehaviour(name: string): Behaviour | null {
  const long = /^long:(\d+)$/.exec(name)
  if (long) return { tokens: Number(long[1]) }
  const found = ALIASES[name]
  return found ? structuredClone(found) : null
}

/**
 * Find `[[emulator:…]]` in a message. The JSON form may itself contain `]]`
 * inside strings, so every `}]]` is tried as the end until one parses.
 */
export function parseDirective(content: string): Behaviour | null {
  const start = content.indexOf(MARK)
  if (start < 0) return null
  const rest = content.slice(start + MARK.length)
  if (rest.startsWith('{')) {
    for (let end = rest.indexOf('}]]'); end >= 0; end = rest.indexOf('}]]', end + 1)) {
      try {
        const value: unknown = JSON.parse(rest.slice(0, end + 1))
        if (value && typeof value === 'object' && !Array.isArray(value)) return value as Behaviour
      } catch {
        // Not the real end yet — keep scanning.
      }
    }
    return null
  }
  const end = rest.indexOf(']]')
  return end < 0 ? null : aliasBehaviour(rest.slice(0, end).trim())
}

/** Directive from the LAST user message only, so earlier turns do not re-trigger faults. */
export function directiveFromBody(body: unknown): Behaviour | null {
  if (!body || typeof body !== 'object') return null
  const msgs = (body as { messages?: unknown }).messages
  if (!Array.isArray(msgs)) return null
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i] as { role?: unknown; content?: unknown } | null
    if (m && m.role === 'user') return typeof m.content === 'string' ? parseDirective(m.content) : null
  }
  return null
}

/**
 * The behaviour of the app's request for a chat title (its system message is the app's
 * TITLE_INSTRUCTIONS), or null for any other request: a deterministic title made from the
 * question, unless a directive in the question says how its title request goes (`title`).
 */
export function titleBehaviour(body: unknown): Behaviour | null {
  const msgs = (body as { messages?: unknown } | null)?.messages
  if (!Array.isArray(msgs)) return null
  const [first, second] = msgs as ({ role?: unknown, content?: unknown } | null)[]
  if (first?.role !== 'system' || first.content !== TITLE_INSTRUCTIONS || second?.role !== 'user' || typeof second.content !== 'string') return null
  return { reply: emulatedTitle(second.content), ...parseDirective(second.content)?.title }
}

/** FIFO queue of behaviours, each entry consumed by `times` requests. */
export class BehaviourQueue {
  private entries: { behaviour: Behaviour; left: number }[] = []

  push(behaviour: Behaviour, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`)
    this.entries.push({ behaviour, left: times })
  }

  shift(): Behaviour | null {
    const head = this.entries[0]
    if (!head) return null
    if (--head.left === 0) this.entries.shift()
    return structuredClone(head.behaviour)
  }

  get size(): number {
    return this.entries.reduce((n, e) => n + e.left, 0)
  }

  clear(): void {
    this.entries = []
  }
}
