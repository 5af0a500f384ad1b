import type { LiveModel, WorkersAiInputName } from '#shared/contract'

/** The generation settings of a Workers AI request, in Workers AI's own names. */
export type WorkersAiInputs = Partial<Record<WorkersAiInputName, number | string>>

/**
 * A catalogue model's parameters as the Workers AI inputs it accepts, and nothing it does not:
 * the output budget goes as `max_completion_tokens` to OpenAI-shaped models and as `max_tokens`
 * to the others (whose default of 256 stops answers mid-sentence); -1 (or no value) leaves a
 * setting to Workers AI; `truncate` is the conversation's token budget (see `inputBudget`), not
 * an input, and `typical_p` has no Workers AI counterpart.
 *
 * `chosen` are a client's own settings (the OpenAI-compatible API's), taken over the catalogue's
 * where the model accepts them; its output budget (under either name) goes under the model's
 * name for it, at most the model's `maxOutputTokens`.
 *
 * @example workersAiInputs(findLiveModel('llama-3.3-70b-instruct-fp8-fast')!) // { max_tokens: 2048, temperature: 0.6 }
 */
export function workersAiInputs(model: LiveModel, chosen: WorkersAiInputs = {}): WorkersAiInputs {
  const { max_new_tokens, temperature, top_p, top_k, repetition_penalty } = model.configuration.parameters
  const accepted = new Set(model.acceptedInputs)
  const { max_tokens: chosenBudget = chosen.max_completion_tokens, max_completion_tokens: _, ...chosenRest } = chosen
  const budget = chosenBudget === undefined ? max_new_tokens : Math.min(Number(chosenBudget), model.limits.maxOutputTokens)
  const wanted: WorkersAiInputs = {
    [accepted.has('max_completion_tokens') ? 'max_completion_tokens' : 'max_tokens']: budget,
    temperature,
    top_p,
    top_k,
    repetition_penalty,
    reasoning_effort: model.capabilities.reasoning?.effort,
    ...chosenRest,
  }
  const inputs: WorkersAiInputs = {}
  for (const [name, value] of Object.entries(wanted) as [WorkersAiInputName, number | string | undefined][]) {
    if (value === undefined || (typeof value === 'number' && value < 0) || !accepted.has(name)) continue
    inputs[name] = value
  }
  return inputs
}

/** The output budget the inputs ask for: thinking and answer together. */
export function outputBudget(inputs: WorkersAiInputs): number {
  return Number(inputs.max_tokens ?? inputs.max_completion_tokens ?? 0)
}
