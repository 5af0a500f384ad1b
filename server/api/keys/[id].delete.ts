import { ERRORS, idSchema } from '#shared/contract'

/** DELETE /api/keys/:id: the key stops working at once. Another user's key is a 404. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const id = idSchema.safeParse(getRouterParam(event, 'id'))
  if (!id.success) throw apiError(404, ERRORS.apiKeyNotFound)
  await revokeApiKey(user.id, id.data)
  return sendNoContent(event, 204)
})
