// Every function that runs regular expressions (or a third-party parser) on user- or
// model-supplied text, fed adversarial strings up to the largest input the API lets through:
// long runs of one character, short patterns repeated, nested delimiters, each ending in a
// rejecting suffix. Each input is timed at 1/16, 1/4 and all of the maximum length against a
// bound that grows linearly with the length, so polynomial backtracking fails at the first,
// shortest rung instead of hanging the run. The bounds are loose (milliseconds where the code
// takes microseconds); the catastrophic cases they catch take seconds to hours.
// Replay a run with LINEAR_SEED=<printed seed>.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { API_KEY_PREFIX, chatIdHeaderSchema, chatIdSchema, chatRequestSchema, createApiKeySchema, credentialsSchema, idSchema, LIMITS, loginSchema, openAiChatRequestSchema } from '../../shared/contract/index.ts'
import { createBlockSplitter } from '../../utils/markdown-blocks.ts'
import { markdownRenderer } from '../../utils/markdown-render.ts'
import { requestHistory } from '../../utils/chat-messages.ts'
import { chatToMarkdown, exportFileName } from '../../utils/chat-export.ts'
import { ChatRequestError, describeChatError, parseRetryAfter } from '../../utils/chat-errors.ts'
import { chatTitleFrom, cleanTitle } from '../../shared/contract/titles.ts'
import { addressKey } from '../../server/utils/client-address.ts'
import { apiKeyOfAuthorization } from '../../server/utils/authorization.ts'
import { prefersPlainText } from '../../server/answer/negotiation.ts'
import { tokenize, topicOf } from '../../emulator/tokens.ts'
import { thinkTagSplitter } from '../../server/workers-ai/think-tags.ts'
import type { AnswerPart } from '../../server/workers-ai/parts.ts'
import { LIVE_MODELS } from '../../shared/contract/models.ts'

const SEED = Number(process.env.LINEAR_SEED) || Date.now() % 2 ** 31
/** Random shapes per function, after every one of EXAMPLES (fast-check counts those within numRuns). */
const RUNS = Number(process.env.LINEAR_RUNS) || 30
/** Allowed whatever the length: a pause of a loaded machine, a garbage collection. */
const FIXED_MS = 50

/** Characters that mean something to markdown, URLs, e-mail addresses, numbers or whitespace rules. */
const ALPHABET = ['`', '~', '*', '_', '[', ']', '(', ')', '<', '>', '!', '#', '|', '\\', '-', '+', '=', '.', ':', '/', '@', '&', ';', ' ', '\t', '\n', '\r', '"', '\'', '{', '}', '$', '%', 'a', '0', 'é', '\u00A0', '\u2028', '💥']
/** Shapes known to be hard for markdown parsers and for the patterns that split messages. */
const KNOWN = ['```', '~~~', '~~~ `', '[[', '**a', '*a ', '|a|\n|-|\n', '[a](', '[a]: b\n', '<a', 'http://a.', 'www.a', 'a@', '> ', '- ', '1. ', '&#', '\\`', '[[emulator:', ']]', ' \n', '``a`', '*!', '0x', '-1', '::', '<think>', '</think', '</think>\n\n']
const CLOSING: Record<string, string> = { '[': ']', '(': ')', '<': '>', '{': '}', '`': '`', '*': '*', '_': '_', '"': '"' }

const shape = fc.record({
  head: fc.string({ maxLength: 8 }),
  unit: fc.oneof(
    fc.constantFrom(...ALPHABET),
    fc.array(fc.constantFrom(...ALPHABET), { minLength: 2, maxLength: 6 }).map(chars => chars.join('')),
    fc.constantFrom(...KNOWN),
  ),
  nested: fc.boolean(),
  tail: fc.oneof(fc.constantFrom('', '`', '\n', 'x', '\u2028', ']', ')', '>', '!', '@', '\u0000'), fc.string({ maxLength: 4 })),
})
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never

/** Always tried besides the random shapes: every run of one character and every known shape, ending in a stray backtick or a NUL. */
const EXAMPLES: [Shape][] = [...ALPHABET, ...KNOWN].flatMap(unit => ['`', '\u0000'].map(tail => [{ head: '', unit, nested: false, tail }] as [Shape]))

/** `shape` grown to `length` characters: the unit repeated, or opened and closed as deep as it fits. */
function grow({ head, unit, nested, tail }: Shape, length: number): string {
  const room = Math.max(0, length - head.length - tail.length)
  if (nested) {
    const closing = [...unit].reverse().map(char => CLOSING[char] ?? char).join('')
    const depth = Math.floor(room / (unit.length + closing.length))
    return head + unit.repeat(depth) + closing.repeat(depth) + tail
  }
  return (head + unit.repeat(Math.ceil(room / unit.length)).slice(0, room) + tail).slice(0, length)
}

function timed(run: () => unknown): number {
  const started = performance.now()
  run()
  return performance.now() - started
}

/** The fastest of up to three runs, so a pause of the machine is not taken for the code's cost. */
function cost(run: () => unknown, bound: number): number {
  let best = timed(run)
  for (let retry = 0; retry < 2 && best > bound; retry++) best = Math.min(best, timed(run))
  return best
}

interface Subject {
  name: string
  /** The longest input the API lets this function see. */
  maxLength: number
  run: (text: string) => unknown
  /** Milliseconds allowed per 1,000 characters (on top of FIXED_MS). */
  msPerThousand: number
}

/** The words the renderer and the export write into their output (any language will do here). */
const MARKDOWN_LABELS = { copy: 'Copy', copyCode: 'Copy code', table: 'Table' }
const EXPORT_LABELS = { user: 'You', assistant: 'Assistant', thinking: 'Thinking' }
/** The UI's translate function, standing in: the error alert's cost is in matching the text, not in the words. */
const translate = (key: string) => key

/** One message as the chat page renders it: split into blocks, each markdown block rendered. */
function renderMessage(text: string): string[] {
  return createBlockSplitter()(text).map(block => (block.kind === 'markdown' ? markdownRenderer.render(block.source, MARKDOWN_LABELS) : block.source))
}

const MESSAGE = LIMITS.maxMessageChars
/** The longest answer a model may write: the largest output budget in the catalogue, at a generous 4 characters a token. */
const ANSWER = Math.max(...LIVE_MODELS.map(model => model.limits.maxOutputTokens)) * 4
/** A header value: Node refuses request headers past 16 KiB in all. */
const HEADER = 16 * 1024

/**
 * A model's text through the thinking splitter, `frame` characters a network read: as a model
 * whose template opens the thinking itself, and as one that writes `<think>` first.
 */
function splitThinking(text: string, frame: number): void {
  for (const [startsInside, written] of [[true, text], [false, `<think>${text}`]] as const) {
    const splitter = thinkTagSplitter(startsInside)
    const out: AnswerPart[] = []
    for (let at = 0; at < written.length; at += frame) splitter.push(written.slice(at, at + frame), out)
    splitter.end(out)
  }
}

const subjects: Subject[] = [
  { name: 'markdown block splitter (utils/markdown-blocks)', maxLength: MESSAGE, run: text => createBlockSplitter()(text), msPerThousand: 10 },
  { name: 'markdown splitter while streaming (three growing prefixes)', maxLength: MESSAGE, msPerThousand: 20, run: (text) => {
    const split = createBlockSplitter()
    for (const end of [text.length / 3, (2 * text.length) / 3, text.length]) split(text.slice(0, end))
  } },
  { name: 'message rendering: splitter + markdown-it (utils/markdown-render)', maxLength: MESSAGE, run: renderMessage, msPerThousand: 60 },
  { name: 'chat title (chatTitleFrom, server and browser)', maxLength: MESSAGE, run: chatTitleFrom, msPerThousand: 10 },
  { name: 'generated title (cleanTitle)', maxLength: MESSAGE, run: cleanTitle, msPerThousand: 10 },
  { name: 'Markdown export with a rated answer', maxLength: MESSAGE, run: text => chatToMarkdown({ title: 'x', messages: [{ role: 'assistant', content: 'a', feedback: { rating: 'down', comment: text } }] }, { ...EXPORT_LABELS, feedback: { label: 'F', up: 'u', down: 'd' } }), msPerThousand: 10 },
  { name: 'Markdown export (chatToMarkdown)', maxLength: MESSAGE, run: text => chatToMarkdown({ title: text.slice(0, LIMITS.maxTitleChars), messages: [{ role: 'assistant', content: text }] }, EXPORT_LABELS), msPerThousand: 10 },
  { name: 'export file name', maxLength: MESSAGE, run: text => exportFileName(text, 'md'), msPerThousand: 10 },
  { name: 'request history (requestHistory)', maxLength: MESSAGE, run: text => requestHistory([{ role: 'user', content: text }, { role: 'assistant', content: text }], LIMITS.maxBodyBytes), msPerThousand: 10 },
  { name: 'error alert text (describeChatError)', maxLength: MESSAGE, run: text => describeChatError(new ChatRequestError(429, text, null), translate), msPerThousand: 10 },
  { name: 'Retry-After header', maxLength: HEADER, run: parseRetryAfter, msPerThousand: 10 },
  { name: 'chat request schema', maxLength: MESSAGE, run: text => chatRequestSchema.safeParse({ messages: [{ role: 'user', content: text }] }), msPerThousand: 10 },
  { name: 'sign-up schema (e-mail pattern)', maxLength: LIMITS.maxBodyBytes, run: text => credentialsSchema.safeParse({ email: text, password: text }), msPerThousand: 10 },
  { name: 'log-in schema', maxLength: LIMITS.maxBodyBytes, run: text => loginSchema.safeParse({ email: text, password: text }), msPerThousand: 10 },
  { name: 'chat_id query value', maxLength: HEADER, run: text => chatIdSchema.safeParse(text), msPerThousand: 10 },
  { name: 'path and query ids', maxLength: HEADER, run: text => idSchema.safeParse(text), msPerThousand: 10 },
  { name: 'client address (X-Forwarded-For, CF-Connecting-IP)', maxLength: HEADER, run: addressKey, msPerThousand: 10 },
  { name: 'Authorization header (Bearer API key)', maxLength: HEADER, run: text => [apiKeyOfAuthorization(text), apiKeyOfAuthorization(`Bearer ${API_KEY_PREFIX}${text}`), apiKeyOfAuthorization(`Bearer ${text}`)], msPerThousand: 10 },
  { name: 'Accept header (plain text or the UI message stream)', maxLength: HEADER, run: prefersPlainText, msPerThousand: 10 },
  { name: 'X-Neptun-Chat-Id header', maxLength: HEADER, run: text => chatIdHeaderSchema.safeParse(text), msPerThousand: 10 },
  { name: 'API key name', maxLength: LIMITS.maxBodyBytes, run: text => createApiKeySchema.safeParse({ name: text }), msPerThousand: 10 },
  { name: 'OpenAI chat request (text and text parts)', maxLength: MESSAGE, run: text => openAiChatRequestSchema.safeParse({ model: text, messages: [{ role: 'system', content: text }, { role: 'user', content: [{ type: 'text', text }] }], stop: text }), msPerThousand: 10 },
  { name: 'thinking splitter, the answer in one read (server/workers-ai/think-tags)', maxLength: ANSWER, run: text => splitThinking(text, Math.max(text.length, 1)), msPerThousand: 10 },
  { name: 'thinking splitter, streamed a character a read', maxLength: ANSWER, run: text => splitThinking(text, 1), msPerThousand: 10 },
  { name: 'emulator tokenizer', maxLength: MESSAGE, run: tokenize, msPerThousand: 10 },
  { name: 'emulator topic (directive stripping)', maxLength: MESSAGE, run: text => topicOf([{ role: 'user', content: text }]), msPerThousand: 10 },
]

describe(`linear time on adversarial input (seed ${SEED}, ${RUNS} shapes each)`, () => {
  it.each(subjects.map(subject => [subject.name, subject] as const))('%s', { timeout: 180_000 }, (_name, subject) => {
    console.log(`[linear-time] ${subject.name}: seed ${SEED} (replay with LINEAR_SEED=${SEED})`)
    // Compiled and warmed up first: the first call of a parser pays for its own set-up.
    for (let i = 0; i < 3; i++) subject.run(`# warm-up ${i}\n\n*a* [b](c) \`d\`\n\n\`\`\`js\nx\n\`\`\`\n`)
    let slowest = { ms: 0, length: 0, ratio: 0 }
    fc.assert(fc.property(shape, (generated) => {
      for (const length of [subject.maxLength / 16, subject.maxLength / 4, subject.maxLength].map(Math.floor)) {
        const text = grow(generated, length)
        const bound = FIXED_MS + (text.length / 1000) * subject.msPerThousand
        const ms = cost(() => subject.run(text), bound)
        if (ms / bound > slowest.ratio) slowest = { ms, length: text.length, ratio: ms / bound }
        expect(ms, `${text.length} characters (${JSON.stringify(text.slice(0, 40))}…${JSON.stringify(text.slice(-10))}) took ${ms.toFixed(0)} ms, bound ${bound.toFixed(0)} ms`).toBeLessThanOrEqual(bound)
      }
    }), { seed: SEED, numRuns: EXAMPLES.length + RUNS, endOnFailure: true, examples: EXAMPLES })
    console.log(`[linear-time] ${subject.name}: slowest ${slowest.ms.toFixed(1)} ms at ${slowest.length} characters (${Math.round(slowest.ratio * 100)} % of its bound)`)
  })
})
