import { ERRORS, SHARE_ID_PATTERN } from '#shared/contract'

/** DELETE /api/shares/:id: the link answers 404 from now on. Another user's share is a 404. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const id = getRouterParam(event, 'id') ?? ''
  if (!SHARE_ID_PATTERN.test(id)) throw apiError(404, ERRORS.shareNotFound)
  await revokeShare(user.id, id)
  return sendNoContent(event, 204)
})
