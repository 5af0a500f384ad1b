import { LIVE_MODELS } from '#shared/contract'

/** GET /api/v1/models: the live catalogue in OpenAI's list format (API keys only), less the models an admin did not allow the user. */
export default defineEventHandler(async (event) => {
  const { allowedModels } = await requireApiKeyHolder(event, undefined, { countApiCall: true })
  return {
    object: 'list',
    data: LIVE_MODELS.filter(model => !allowedModels || allowedModels.includes(model.name)).map(model => ({ id: model.name, object: 'model', created: 0, owned_by: model.publisher })),
  }
})
