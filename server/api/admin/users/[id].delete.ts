import { idSchema, TEAM_ERRORS } from '#shared/contract'

/** DELETE /api/admin/users/:id: the user and everything they own. Not the admin's own account. */
export default defineEventHandler(async (event) => {
  const admin = await requireAdmin(event)
  const id = idSchema.safeParse(getRouterParam(event, 'id'))
  if (!id.success) throw apiError(404, TEAM_ERRORS.userNotFound)
  await deleteUserAsAdmin(admin, id.data)
  return sendNoContent(event, 204)
})
