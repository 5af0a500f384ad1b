import type { AdminUser } from '#shared/contract'

/** GET /api/admin/users: every user, with sign-in methods, activity and this month's use. Admins only. */
export default defineEventHandler(async (event): Promise<AdminUser[]> => {
  await requireAdmin(event)
  return listAdminUsers()
})
