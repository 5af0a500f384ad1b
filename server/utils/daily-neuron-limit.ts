import { ERRORS, secondsUntilMidnightUtc } from '#shared/contract'

/**
 * CHAT_DAILY_NEURON_LIMIT Neurons per user per UTC day (0 turns it off); past it, 429 with
 * Retry-After until midnight UTC. `neuronsToday` comes from the statement that checked the
 * session (`requireUserOwning(…, { neuronsToday: true })`). Answers already running when the
 * cap is reached finish, so a day can end a little over it.
 */
export function assertDailyNeuronLimit(neuronsToday: number): void {
  const limit = serverConfig().dailyNeuronLimit
  if (!(limit > 0) || neuronsToday < limit) return
  throw apiError(429, ERRORS.dailyNeuronLimit, { 'retry-after': String(secondsUntilMidnightUtc()) })
}
