import { answerCost, type ChatMessage, type ChatStreamMetadata, type LiveModel } from '#shared/contract'
import type { EndedAnswer } from '../answer/generation.ts'
import type { AnswerUsage } from './usage-store.ts'

/** An ended answer as it is stored: what it cost. */
export interface AnswerToStore extends EndedAnswer {
  neurons: number
  costUsd: number
  /** What is added to the user's day (estimated tokens when Workers AI reported none). */
  spent: AnswerUsage
}

/**
 * The answer with what it cost. Workers AI reports no usage for an answer that broke off or was
 * stopped, although the tokens were spent: they are estimated from the text (generously, as the
 * context window's estimate is), so the daily cap cannot be dodged by stopping every answer.
 *
 * @example const priced = pricedAnswer({ userId, model, system }, messages, answer)
 */
export function pricedAnswer(turn: { userId: number, model: LiveModel, system: string }, sent: ChatMessage[], answer: EndedAnswer): AnswerToStore {
  const written = answer.content + (answer.reasoning ?? '')
  const tokens = {
    promptTokens: answer.usage?.promptTokens ?? sent.reduce((sum, message) => sum + estimateTokens(message.content), estimateTokens(turn.system)),
    completionTokens: answer.usage?.completionTokens ?? (written ? estimateTokens(written) : 0),
  }
  const { neurons, usd } = answerCost(turn.model.pricing, tokens)
  return {
    ...answer,
    neurons,
    costUsd: usd,
    spent: { userId: turn.userId, model: turn.model.name, promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens, neurons },
  }
}

/**
 * What the stream's end says about a stored answer: its status, usage, cost and thinking time
 * (the stored message's id is added by whoever stored it). The generation's own stream and a
 * reader that follows the answer's row build it here, so both end alike.
 */
export function endMetadata(answer: Pick<AnswerToStore, 'status' | 'usage' | 'neurons' | 'costUsd' | 'reasoningMs' | 'finishReason'>): ChatStreamMetadata {
  return {
    status: answer.status,
    usage: { ...answer.usage, neurons: answer.neurons, costUsd: answer.costUsd },
    ...(answer.reasoningMs === undefined ? {} : { reasoningMs: answer.reasoningMs }),
    ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
  }
}

/**
 * Counts a playground answer's cost (it is stored nowhere else) and says how it ended. The
 * playground promises to store nothing: a cost that could not be counted does not fail its answer.
 */
export async function playgroundAnswerMetadata(answer: AnswerToStore, db: Promise<Database>): Promise<ChatStreamMetadata> {
  await db.then(database => recordUsage(answer.spent, database)).catch((error: unknown) => {
    console.error(`[chat] could not count a playground answer's cost: ${error instanceof Error ? error.name : 'error'}`)
  })
  return endMetadata(answer)
}
