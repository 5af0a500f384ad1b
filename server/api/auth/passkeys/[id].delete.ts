import { ERRORS, idSchema } from '#shared/contract'

/** DELETE /api/auth/passkeys/:id: the passkey signs nobody in from now on. Another user's is a 404. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const id = idSchema.safeParse(getRouterParam(event, 'id'))
  if (!id.success) throw apiError(404, ERRORS.passkeyNotFound)
  await deletePasskey(user.id, id.data)
  return sendNoContent(event, 204)
})
