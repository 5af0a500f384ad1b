import type { AdminInvite } from '#shared/contract'

/** GET /api/admin/invites: every invite, newest first (without tokens). Admins only. */
export default defineEventHandler(async (event): Promise<AdminInvite[]> => {
  await requireAdmin(event)
  return listInvites()
})
