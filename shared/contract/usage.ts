import type { ModelFeedback } from './feedback.ts'
import type { ModelPricing } from './model-types.ts'

/**
 * What Workers AI costs. Cloudflare bills Neurons: $0.011 per 1,000, after a free allocation of
 * 10,000 Neurons a day that resets at 00:00 UTC
 * (https://developers.cloudflare.com/workers-ai/platform/pricing/).
 */
export const NEURON_PRICE_USD = 0.011 / 1000
export const FREE_DAILY_NEURONS = 10_000

/** Token counts of one answer, as Workers AI reported them (or as estimated when it did not). */
export interface TokenCounts {
  promptTokens?: number | null
  completionTokens?: number | null
}

/** What one answer cost. */
export interface AnswerCost {
  neurons: number
  usd: number
}

/**
 * The cost of an answer from its token counts and the model's prices.
 *
 * @example answerCost(model.pricing, { promptTokens: 1000, completionTokens: 200 }) // { neurons: 67.63…, usd: 0.000743… }
 */
export function answerCost(pricing: ModelPricing, tokens: TokenCounts): AnswerCost {
  const neurons = ((tokens.promptTokens ?? 0) * pricing.inputNeuronsPerMillion + (tokens.completionTokens ?? 0) * pricing.outputNeuronsPerMillion) / 1_000_000
  return { neurons, usd: neurons * NEURON_PRICE_USD }
}

/** One model's use in a period. */
export interface ModelUsage {
  model: string
  answers: number
  promptTokens: number
  completionTokens: number
  neurons: number
  usd: number
}

/** A period's use: per model (most Neurons first) and in total. */
export interface UsagePeriod {
  /** The first day of the period (YYYY-MM-DD, UTC). */
  from: string
  models: ModelUsage[]
  total: Omit<ModelUsage, 'model'>
}

/** GET /api/usage: the caller's use of Workers AI today and this month (UTC days). */
export interface UsageReport {
  today: UsagePeriod
  month: UsagePeriod
  freeDailyNeurons: number
  /** CHAT_DAILY_NEURON_LIMIT, when the server sets one: answers stop past it until midnight UTC. */
  dailyNeuronLimit: number | null
  /** When today's counts start again (the next 00:00 UTC), ISO 8601. */
  resetsAt: string
  /** The user's ratings of answers per model that wrote them, all time. */
  feedback: ModelFeedback[]
}

/** The next midnight UTC: when a daily allowance starts again. */
export function nextMidnightUtc(now: Date = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
}

/** Whole seconds from `now` to the next midnight UTC (at least 1), for Retry-After. */
export function secondsUntilMidnightUtc(now: Date = new Date()): number {
  return Math.max(1, Math.ceil((nextMidnightUtc(now).getTime() - now.getTime()) / 1000))
}
