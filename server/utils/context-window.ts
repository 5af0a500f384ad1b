import { CHARS_PER_TOKEN, conversationTokenBudget, type ChatMessage, type LiveModel } from '#shared/contract'
import { SYSTEM_PROMPT } from './system-prompt.ts'

/**
 * A deliberately high token estimate (CHARS_PER_TOKEN, plus the chat template's per-message
 * overhead): trimming a little too much is harmless, a 413 from Workers AI is not.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN) + 4
}

/**
 * The tokens a conversation may use with `model` beside an answer of `maxTokens` and the system
 * prompt (SYSTEM_PROMPT unless the client brings its own).
 */
export function inputBudget(model: LiveModel, maxTokens: number, system: string = SYSTEM_PROMPT): number {
  return conversationTokenBudget(model, maxTokens) - estimateTokens(system)
}

/**
 * Drops the oldest messages until the conversation fits `budget` tokens. The last message (the
 * user's new one) is always kept; returns undefined when even it does not fit.
 */
export function fitContextWindow<M extends ChatMessage>(messages: M[], budget: number): M[] | undefined {
  let used = 0
  let start = messages.length
  while (start > 0) {
    const cost = estimateTokens(messages[start - 1]!.content)
    if (used + cost > budget) break
    used += cost
    start--
  }
  if (start === messages.length) return undefined
  return start === 0 ? messages : messages.slice(start)
}
