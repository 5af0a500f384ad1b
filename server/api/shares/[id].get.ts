import { ERRORS, SHARE_ID_PATTERN } from '#shared/contract'

/**
 * GET /api/shares/:id, public: a shared chat's snapshot for anyone with the link; 404 once
 * revoked. It names neither the chat nor its owner.
 */
export default defineEventHandler(async (event) => {
  setResponseHeader(event, 'x-robots-tag', 'noindex')
  const id = getRouterParam(event, 'id') ?? ''
  if (!SHARE_ID_PATTERN.test(id)) throw apiError(404, ERRORS.shareNotFound)
  return readShare(id)
})
