import type { ChatMessage, LiveModel } from '#shared/contract'
import { SYSTEM_PROMPT } from './system-prompt.ts'

/**
 * A deliberately high token estimate (3 characters a token, plus the chat template's per-message
 * overhead): trimming a little too much is harmless, a 413 from Workers AI is not.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3) + 4
}

/**
 * The tokens a conversation may use with `model`: its `truncate`, within what its context window
 * leaves beside the answer (`maxTokens`) and the system prompt.
 */
export function inputBudget(model: LiveModel, maxTokens: number): number {
  const { truncate } = model.configuration.parameters
  return Math.min(truncate > 0 ? truncate : Infinity, model.limits.contextWindow - maxTokens) - estimateTokens(SYSTEM_PROMPT)
}

/**
 * Drops the oldest messages until the conversation fits `budget` tokens. The last message (the
 * user's new one) is always kept; returns undefined when even it does not fit.
 */
export function fitContextWindow(messages: ChatMessage[], budget: number): ChatMessage[] | undefined {
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
