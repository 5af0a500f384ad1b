import { ERRORS } from '#shared/contract'

/** /api itself: a JSON 404 like any other path without a route. */
export default defineEventHandler(() => {
  throw apiError(404, ERRORS.notFound)
})
