/**
 * Splits streaming markdown into top-level blocks so that finished blocks can be rendered once
 * and memoised while only the last, still-growing block is re-rendered on every update.
 *
 * A block boundary is a blank line outside a fenced code block; a top-level fence is always a
 * block of its own (so it can become a `CodeBlock` with a copy button).
 *
 * @example
 * const split = createBlockSplitter()
 * split('# Title\n\nHello') // [{ kind: 'markdown', source: '# Title\n', … }, { kind: 'markdown', source: 'Hello', … }]
 */
export interface MarkdownBlock {
  /** Stable across updates: the offset where the block starts in the message. */
  key: number
  kind: 'markdown' | 'code'
  /** Markdown source (kind 'markdown') or the code inside the fence (kind 'code'). */
  source: string
  /** Fence info string, e.g. `ts` (kind 'code'). */
  lang: string
  /** False for the last block while more text may still arrive (an unclosed fence, a growing paragraph). */
  closed: boolean
}

// Both are anchored and end at the fence marker, so they run in time linear in the line; the
// info string after the marker is read with string methods (see fenceOpening).
const FENCE_MARKER = /^ {0,3}(`{3,}|~{3,})/
const INDENTED_FENCE = /^\s*(`{3,}|~{3,})/

/**
 * The marker and language of a line that opens a fenced code block (CommonMark: up to three
 * spaces, three or more backticks or tildes, an info string without backticks after backticks).
 */
function fenceOpening(line: string): { marker: string, lang: string } | null {
  const match = FENCE_MARKER.exec(line)
  if (!match) return null
  const marker = match[1]!
  const info = line.slice(match[0].length)
  if (marker[0] === '`' && info.includes('`')) return null
  return { marker, lang: info.trim().split(/\s/, 1)[0] ?? '' }
}

interface ScanState {
  /** Text already cut into finished blocks. */
  done: MarkdownBlock[]
  /** Offset where the unfinished tail starts. */
  tailStart: number
  text: string
}

/** Scans `text` from `from` and returns the finished blocks it finds plus the start of the unfinished tail. */
function scan(text: string, from: number): { blocks: MarkdownBlock[], tailStart: number } {
  const blocks: MarkdownBlock[] = []
  let blockStart = from
  let pos = from
  // Fence opened inside a list item or quote: blank lines inside it must not split the block.
  let nestedFence: string | null = null

  while (pos < text.length) {
    const newline = text.indexOf('\n', pos)
    if (newline === -1) break // the last line is still being written
    const line = text.slice(pos, newline)
    const lineEnd = newline + 1

    if (nestedFence) {
      if (line.trim().startsWith(nestedFence)) nestedFence = null
      pos = lineEnd
      continue
    }

    // A fence may interrupt a paragraph ("Here it is:\n```js"); indented ones then belong to a list item.
    const fence = pos === blockStart || !line.startsWith(' ') ? fenceOpening(line) : null
    if (fence) {
      const marker = fence.marker
      if (pos > blockStart) {
        blocks.push({ key: blockStart, kind: 'markdown', lang: '', source: text.slice(blockStart, pos), closed: true })
        blockStart = pos
      }
      const close = findFenceClose(text, lineEnd, marker)
      if (close === -1) break // unclosed top-level fence: it is the tail
      const afterClose = text.indexOf('\n', close)
      if (afterClose === -1) break // the closing line itself may still grow
      blocks.push({ key: blockStart, kind: 'code', lang: fence.lang, source: text.slice(lineEnd, close), closed: true })
      pos = afterClose + 1
      blockStart = pos
      continue
    }

    const nested = INDENTED_FENCE.exec(line)
    if (nested) {
      nestedFence = nested[1]!
      pos = lineEnd
      continue
    }

    if (line.trim() === '') {
      if (pos > blockStart) blocks.push({ key: blockStart, kind: 'markdown', lang: '', source: text.slice(blockStart, pos), closed: true })
      blockStart = lineEnd
    }
    pos = lineEnd
  }
  return { blocks, tailStart: blockStart }
}

/** Offset of the line that closes a fence opened with `marker`, or -1. */
function findFenceClose(text: string, from: number, marker: string): number {
  let pos = from
  while (pos < text.length) {
    const newline = text.indexOf('\n', pos)
    const line = text.slice(pos, newline === -1 ? text.length : newline)
    const trimmed = line.trimStart()
    if (line.length - trimmed.length <= 3 && trimmed.startsWith(marker) && trimmed.slice(marker.length).trim() === '' && trimmed[0] === marker[0]) return pos
    if (newline === -1) return -1
    pos = newline + 1
  }
  return -1
}

/** The unfinished tail as a block (a fence still open renders as code so far). */
function tailBlock(text: string, start: number): MarkdownBlock | null {
  const source = text.slice(start)
  if (!source.trim()) return null
  const firstNewline = source.indexOf('\n')
  const fence = fenceOpening(firstNewline === -1 ? source : source.slice(0, firstNewline))
  if (fence && firstNewline !== -1) {
    const body = source.slice(firstNewline + 1)
    const close = findFenceClose(body, 0, fence.marker)
    return { key: start, kind: 'code', lang: fence.lang, source: close === -1 ? body : body.slice(0, close), closed: close !== -1 }
  }
  return { key: start, kind: 'markdown', lang: '', source, closed: false }
}

/**
 * Returns a splitter that remembers what it has already cut: when the new text extends the
 * previous one (streaming), only the unfinished tail is scanned again.
 */
export function createBlockSplitter() {
  let state: ScanState = { done: [], tailStart: 0, text: '' }

  return function split(text: string): MarkdownBlock[] {
    const extendsPrevious = text.length >= state.text.length && text.startsWith(state.text)
    const from = extendsPrevious ? state.tailStart : 0
    const { blocks, tailStart } = scan(text, from)
    state = { done: extendsPrevious ? state.done.concat(blocks) : blocks, tailStart, text }
    const tail = tailBlock(text, tailStart)
    return tail ? [...state.done, tail] : state.done
  }
}
