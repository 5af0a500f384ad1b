import { LIVE_MODELS } from '#shared/contract'

/** GET /api/v1/models: the live catalogue in OpenAI's list format (API keys only). */
export default defineEventHandler(async (event) => {
  await requireApiKeyHolder(event, undefined, { countApiCall: true })
  return {
    object: 'list',
    data: LIVE_MODELS.map(model => ({ id: model.name, object: 'model', created: 0, owned_by: model.publisher })),
  }
})
