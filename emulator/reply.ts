// What a request is answered with, token by token: for reasoning models the thinking (with its
// `<think>` tags, for models that write them) comes first, and the output budget covers both.
import type { EmulatedModel } from './models.ts'
import type { Behaviour, ReplyToken, RunInput } from './types.ts'
import { DEFAULT_REPLY_TOKENS, defaultReasoningTokens, defaultReplyTokens, tokenize } from './tokens.ts'

/** Length of the default thinking in tokens. */
export const DEFAULT_REASONING_TOKENS = 24

export interface Reply {
  tokens: ReplyToken[]
  /** The budget ran out before the reply did (finish_reason `length`). */
  cut: boolean
}

/** The reply's tokens: explicit text or the default reply, after any thinking, capped by the budget. */
export function replyOf(model: EmulatedModel, input: RunInput, b: Behaviour): Reply {
  const answer = b.reply !== undefined
    ? tokenize(b.reply)
    : [...tokenize(describeImages(input)), ...defaultReplyTokens(input.messages, Math.max(0, Math.floor(b.tokens ?? DEFAULT_REPLY_TOKENS)))]
  const all = [...thinking(model, input, b), ...answer.map((text): ReplyToken => ({ text, kind: 'answer' }))]
  return { tokens: all.slice(0, input.maxTokens), cut: all.length > input.maxTokens }
}

function thinking(model: EmulatedModel, input: RunInput, b: Behaviour): ReplyToken[] {
  if (!model.thinking) return []
  const thoughts = (b.reasoning !== undefined
    ? tokenize(b.reasoning)
    : defaultReasoningTokens(input.messages, Math.max(0, Math.floor(b.reasoningTokens ?? DEFAULT_REASONING_TOKENS))))
    .map((text): ReplyToken => ({ text, kind: 'reasoning' }))
  if (model.thinking !== 'think-tags' && model.thinking !== 'think-tags-unopened') return thoughts
  const tag = (text: string): ReplyToken[] => {
    if (!b.splitTags) return [{ text, kind: 'tag' }]
    const middle = Math.ceil(text.trimStart().length / 2) + (text.length - text.trimStart().length)
    return [{ text: text.slice(0, middle), kind: 'tag' }, { text: text.slice(middle), kind: 'tag' }]
  }
  return [
    ...(model.thinking === 'think-tags' ? tag('<think>\n') : []),
    ...thoughts,
    ...tag('\n</think>\n\n'),
  ]
}

/**
 * What a vision model says it received, before its default reply, so a test can tell that the
 * image reached it: `I see 1 image: image/png 2x3 70 bytes (image_url). ` ('' without images).
 */
export function describeImages(input: RunInput): string {
  if (!input.images.length) return ''
  const each = input.images.map(image => `${image.mediaType} ${image.width}x${image.height} ${image.bytes} bytes (${image.via})`)
  return `I see ${input.images.length} image${input.images.length === 1 ? '' : 's'}: ${each.join('; ')}. `
}
