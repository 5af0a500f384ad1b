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
