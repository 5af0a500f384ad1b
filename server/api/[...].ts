import { ERRORS } from '#shared/contract'

/** Any other /api path or method: a JSON 404, never the HTML page. */
export default defineEventHandler(() => {
  throw apiError(404, ERRORS.notFound)
})
