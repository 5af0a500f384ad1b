import type { AuditEntry } from '#shared/contract'

/** GET /api/admin/audit: what admins did, newest first. Admins only. */
export default defineEventHandler(async (event): Promise<AuditEntry[]> => {
  await requireAdmin(event)
  return readAdminAudit()
})
