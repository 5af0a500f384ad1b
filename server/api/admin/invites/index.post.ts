import { inviteCreateSchema, type AdminInvite } from '#shared/contract'

/** POST /api/admin/invites {expiresInHours?} → 201 with the invite's `url`, shown this once. */
export default defineEventHandler(async (event): Promise<AdminInvite> => {
  const admin = await requireAdmin(event)
  const { expiresInHours } = await readValidatedJson(event, inviteCreateSchema)
  const invite = await createInvite(event, admin.id, expiresInHours)
  await recordAdminAction(await useDb(), admin, 'invite.create', null, { inviteId: invite.id, expiresAt: invite.expiresAt })
  setResponseStatus(event, 201)
  return invite
})
