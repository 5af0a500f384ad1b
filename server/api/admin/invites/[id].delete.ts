import { idSchema, TEAM_ERRORS } from '#shared/contract'

/** DELETE /api/admin/invites/:id: the link stops working (a used one stays used). */
export default defineEventHandler(async (event) => {
  const admin = await requireAdmin(event)
  const id = idSchema.safeParse(getRouterParam(event, 'id'))
  if (!id.success) throw apiError(404, TEAM_ERRORS.inviteNotFound)
  await revokeInvite(id.data)
  await recordAdminAction(await useDb(), admin, 'invite.revoke', null, { inviteId: id.data })
  return sendNoContent(event, 204)
})
