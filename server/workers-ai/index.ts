/**
 * The Workers AI adapter, and its front door: nothing outside this folder imports its other files.
 *
 * `workersAiSettings(event)` says how Workers AI is reached (a Worker's `AI` binding, or the REST
 * API with credentials); `startWorkersAiAnswer(settings, request)` asks a model and hands the
 * answer over as AnswerParts, whichever way it went; `workersAiHttpError` maps its failures to
 * the API's statuses.
 */
import { bindingAnswer } from './binding.ts'
import type { ModelRequest, StartAnswer } from './parts.ts'
import { restAnswer } from './rest.ts'
import type { WorkersAiSettings } from './settings.ts'

export { agreeToModelLicence, AGREE_PROMPT } from './agreement.ts'
export { logWorkersAiFailure, workersAiHttpError, WorkersAiHttpError } from './errors.ts'
export { outputBudget, workersAiInputs, type WorkersAiInputs } from './inputs.ts'
export type { AnswerPart, ModelImage, ModelMessage, ModelRequest, StartAnswer, Usage } from './parts.ts'
export { workersAiSettings, type AiBinding, type WorkersAiSettings } from './settings.ts'

/**
 * Asks `request.model` for an answer: through the binding on a Worker that has one, else over
 * the REST API (or AI Gateway).
 *
 * @example const start = startWorkersAiAnswer(settings, { model, inputs, system, messages })
 */
export function startWorkersAiAnswer(settings: WorkersAiSettings, request: ModelRequest): StartAnswer {
  return settings.binding ? bindingAnswer(settings.binding, settings.gatewayId, request) : restAnswer(settings, request)
}
