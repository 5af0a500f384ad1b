import { ERRORS, secondsUntilMidnightUtc, TEAM_ERRORS } from '#shared/contract'

/**
 * `limit` Neurons per user per UTC day (the user's own cap an admin set, else
 * CHAT_DAILY_NEURON_LIMIT; 0 turns it off); past it, 429 with
 * Retry-After until midnight UTC. `neuronsToday` comes from the statement that checked the
 * session (`requireUserOwning(…, { neuronsToday: true })`). Answers already running when the
 * cap is reached finish, so a day can end a little over it.
 */
export function assertDailyNeuronLimit(neuronsToday: number, limit: number): void {
  if (!(limit > 0) || neuronsToday < limit) return
  throw apiError(429, ERRORS.dailyNeuronLimit, { 'retry-after': String(secondsUntilMidnightUtc()) })
}

/**
 * 403 when an admin limited the user to other models (null: every model is theirs).
 *
 * @example assertModelAllowed(signedIn.allowedModels, model.name)
 */
export function assertModelAllowed(allowedModels: string[] | null, model: string): void {
  if (allowedModels && !allowedModels.includes(model)) throw apiError(403, TEAM_ERRORS.modelNotAllowed)
}
