// Tokenisation and deterministic reply text. A "token" here is one word with
// its leading whitespace, so `tokens.join('') === text` always holds — tests
// can compare what the UI shows with what the emulator sent, byte for byte.
import type { ChatMessage } from './types.ts'

/** Split text into tokens: leading whitespace + word; trailing whitespace sticks to the last token. */
export function tokenize(text: string): string[] {
  // Sticky: each token starts where the last ended, so trailing blanks are tried once, not from every position.
  const tokens: string[] = text.match(/\s*\S+/gy) ?? []
  const consumed = tokens.join('').length
  if (consumed < text.length) {
    // Only trailing whitespace is left (or the text is all whitespace).
    if (tokens.length) tokens[tokens.length - 1] += text.slice(consumed)
    else tokens.push(text)
  }
  return tokens
}

/** Per-message overhead approximating chat-template tokens (role headers etc.). */
export const TOKENS_PER_MESSAGE = 4

/** Cheap prompt-size estimate: ceil(chars/4) per message plus template overhead. */
export function estimatePromptTokens(messages: ChatMessage[]): number {
  let total = 0
  for (const m of messages) total += Math.ceil(m.content.length / 4) + TOKENS_PER_MESSAGE
  return total
}

/** Default length of the generated reply when the behaviour does not say. */
export const DEFAULT_REPLY_TOKENS = 40

const FILLER = (
  'the emulator keeps writing deterministic words so that streaming, pacing and ' +
  'truncation can be observed in tests without any real model behind it while ' +
  'every run with the same input produces exactly the same text'
).split(' ')

/** FNV-1a: a tiny stable hash so the filler's starting point depends on the input. */
function hash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** Last user message text with emulator directives removed and whitespace collapsed. */
export function topicOf(messages: ChatMessage[]): string {
  const last = [...messages].reverse().find(m => m.role === 'user')
  return withoutDirectives(last?.content ?? '').replace(/\s+/g, ' ').trim()
}

/** `text` without its `[[emulator:…]]` directives (an unclosed one stays). Linear in the text. */
function withoutDirectives(text: string): string {
  let kept = ''
  let from = 0
  for (let start = text.indexOf('[[emulator:'); start !== -1; start = text.indexOf('[[emulator:', from)) {
    kept += text.slice(from, start)
    const end = text.indexOf(']]', start)
    if (end === -1) return kept + text.slice(start)
    from = end + 2
  }
  return kept + text.slice(from)
}

/**
 * A short markdown answer mentioning the user's question, padded with filler
 * words to exactly `count` tokens (fewer only if count is smaller than the intro).
 */
export function defaultReplyTokens(messages: ChatMessage[], count: number): string[] {
  const topic = topicOf(messages)
  const snippet = topic.length > 40 ? `${topic.slice(0, 40)}…` : topic
  const intro = tokenize(`**Emulated reply** to "${snippet || 'nothing'}".\n\n-`)
  const tokens = intro.slice(0, count)
  let i = hash(JSON.stringify(messages)) % FILLER.length
  while (tokens.length < count) {
    tokens.push(` ${FILLER[i % FILLER.length]}`)
    i++
  }
  return tokens
}

/** Markdown + raw HTML attack payload: the UI must render none of it as live code. */
export const XSS_REPLY = [
  'Here is some **bold** text and a payload:',
  '',
  '<script>window.__xss=1</script>',
  '',
  '<img src=x onerror="window.__xss=1">',
  '',
  '[click](javascript:window.__xss=1)',
  '',
  '```html',
  '<script>window.__xss=1</script>',
  '```',
].join('\n')

const THOUGHTS = (
  'first I restate the question then weigh what is asked against what is known and check ' +
  'each step before writing the answer down'
).split(' ')

/** Deterministic thinking about the last user message, `count` tokens long. */
export function defaultReasoningTokens(messages: ChatMessage[], count: number): string[] {
  const topic = topicOf(messages)
  const snippet = topic.length > 40 ? `${topic.slice(0, 40)}…` : topic
  const tokens = tokenize(`Thinking about "${snippet || 'nothing'}":`).slice(0, count)
  let i = hash(JSON.stringify(messages)) % THOUGHTS.length
  while (tokens.length < count) {
    tokens.push(` ${THOUGHTS[i % THOUGHTS.length]}`)
    i++
  }
  return tokens
}

/**
 * The emulator's title for a question: its first five words (directives removed), quoted and
 * ending in a full stop, as small models like to answer, so the app's cleaning has work to do.
 *
 * @example emulatedTitle('how do the tides of the north sea work') // '"how do the tides of."'
 */
export function emulatedTitle(question: string): string {
  const words = topicOf([{ role: 'user', content: question }]).split(' ').filter(Boolean).slice(0, 5)
  return `"${words.join(' ') || 'Untitled'}."`
}
