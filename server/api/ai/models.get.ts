import { MODELS } from '#shared/contract'

/** GET /api/ai/models: the catalogue as ModelConfiguration[]. Public, like a price list. */
export default defineEventHandler(() => MODELS)
