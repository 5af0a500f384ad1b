import type { ModelParameters } from '#shared/contract'

/** The generation settings of a Workers AI request, in Workers AI's own names. */
export interface WorkersAiInputs {
  max_tokens: number
  temperature?: number
  repetition_penalty?: number
}

/** Asked for when the catalogue leaves `max_new_tokens` open: Workers AI's own default (256) stops answers mid-sentence. */
const DEFAULT_MAX_TOKENS = 2048

/**
 * A catalogue entry's parameters as Workers AI inputs. -1 (or no value) leaves a setting to
 * Workers AI; `truncate` is the conversation's token budget (see `inputBudget`), not an input.
 *
 * @example workersAiInputs(model.configuration.parameters) // { max_tokens: 2048, temperature: 0.6 }
 */
export function workersAiInputs(parameters: ModelParameters): WorkersAiInputs {
  const { max_new_tokens, temperature, repetition_penalty } = parameters
  return {
    max_tokens: max_new_tokens > 0 ? max_new_tokens : DEFAULT_MAX_TOKENS,
    ...(temperature !== undefined && temperature >= 0 ? { temperature } : {}),
    ...(repetition_penalty >= 0 ? { repetition_penalty } : {}),
  }
}
