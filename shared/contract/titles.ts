/** The title of a chat that has no messages yet and was given none. */
export const DEFAULT_CHAT_TITLE = 'New chat'

/** Titles made from a message stay this short, so the chat list shows them whole. */
const MAX_GENERATED_TITLE = 60

/**
 * A chat's title from its first message, on the server (the first turn of an untitled chat) and
 * in the browser (a chat created for a message) alike: the first line that has text, spaces
 * collapsed, cut at a word with "…" past 60 characters; the default title for a blank message.
 *
 * @example chatTitleFrom('How do tides work?\nAnd why twice a day?') // 'How do tides work?'
 */
export function chatTitleFrom(text: string): string {
  const line = text.split('\n').map(part => part.replace(/\s+/g, ' ').trim()).find(Boolean)
  if (!line) return DEFAULT_CHAT_TITLE
  if (line.length <= MAX_GENERATED_TITLE) return line
  const cut = line.slice(0, MAX_GENERATED_TITLE - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > MAX_GENERATED_TITLE / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/** Where a chat's title came from: a generated title replaces only a `fallback` one. */
export const TITLE_SOURCES = ['fallback', 'generated', 'user'] as const
export type TitleSource = typeof TITLE_SOURCES[number]

/**
 * What the small fast model is told when it names a chat, before the user's first message. The
 * emulator recognises a title request by it.
 */
export const TITLE_INSTRUCTIONS = 'You name conversations. Reply with a title of at most six words for the conversation that starts with the next message, in the language of that message. Reply with the title only: no quotes, no explanation, no punctuation at the end.'

/** A generated title keeps at most this many words, and MAX_GENERATED_TITLE characters. */
const MAX_TITLE_WORDS = 8

const QUOTES = new Set(['"', '\'', '`', '“', '”', '„', '‘', '’', '«', '»', '*', '#', '_'])
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', '…', '-', '–', '—', '。', '！', '？'])

/**
 * A model's answer to TITLE_INSTRUCTIONS as a title, or undefined when nothing usable is left:
 * its thinking dropped (`<think>…</think>`, or all before a lone `</think>`), the first line with
 * text, a "Title:" label, markdown marks, quotes and trailing punctuation stripped, spaces
 * collapsed, at most eight words and 60 characters.
 *
 * @example cleanTitle('<think>hm</think>"Tides and the Moon."') // 'Tides and the Moon'
 */
export function cleanTitle(raw: string): string | undefined {
  let text = raw
  const closed = text.lastIndexOf('</think>')
  if (closed !== -1) text = text.slice(closed + '</think>'.length)
  const opened = text.indexOf('<think>')
  if (opened !== -1) text = text.slice(0, opened)
  let line = trimMarks(text.split('\n').map(part => part.replace(/\s+/g, ' ').trim()).find(Boolean) ?? '')
  if (/^title\s*:/i.test(line)) line = trimMarks(line.slice(line.indexOf(':') + 1))
  const words = line.split(' ').filter(Boolean).slice(0, MAX_TITLE_WORDS)
  let title = words.join(' ')
  if (title.length > MAX_GENERATED_TITLE) {
    const cut = title.slice(0, MAX_GENERATED_TITLE)
    const space = cut.lastIndexOf(' ')
    title = space > MAX_GENERATED_TITLE / 2 ? cut.slice(0, space) : cut
  }
  return title || undefined
}

/** `line` without the quotes and markdown marks around it and the punctuation after it. */
function trimMarks(line: string): string {
  let start = 0
  let end = line.length
  const skip = (char: string | undefined) => char !== undefined && (QUOTES.has(char) || char === ' ')
  while (start < end && skip(line[start])) start++
  while (end > start && (skip(line[end - 1]) || TRAILING.has(line[end - 1]!))) end--
  return line.slice(start, end)
}
