import { desc, sql, type SQL } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { TEAM_ERRORS, TEAM_LIMITS, type AuditEntry } from '#shared/contract'
import type { Database } from '../db/connect.ts'

/**
 * The signed-in admin, or 401 without a session and 403 for anyone else.
 *
 * @example const admin = await requireAdmin(event)
 */
export async function requireAdmin(event: H3Event) {
  const signedIn = await requireUserOwning(event, undefined, { countApiCall: true })
  if (!signedIn.admin) throw apiError(403, TEAM_ERRORS.adminRequired)
  return signedIn.user
}

/**
 * Writes one entry of the admin audit log. `db` is the transaction of the action itself, so an
 * action and its record are stored together or not at all.
 *
 * @example await recordAdminAction(tx, admin, 'user.disable', target, { disabled: true })
 */
export async function recordAdminAction(db: Pick<Database, 'insert'>, actor: { id: number, email: string }, action: string, target: { id: number, email: string } | null, details: Record<string, unknown> = {}): Promise<void> {
  await db.insert(tables.adminAudit).values({ actorId: actor.id, actorEmail: actor.email, action, targetId: target?.id ?? null, targetEmail: target?.email ?? null, details })
}

/** The newest audit entries first. */
export async function readAdminAudit(): Promise<AuditEntry[]> {
  const { adminAudit } = tables
  const db = await useDb()
  const rows = await db.select().from(adminAudit).orderBy(desc(adminAudit.id)).limit(TEAM_LIMITS.auditPage)
  return rows.map(row => ({ id: row.id, actor: row.actorEmail, action: row.action, target: row.targetEmail, details: row.details as Record<string, unknown>, at: row.at.toISOString() }))
}

/**
 * How each user can sign in, as a text[] column of a statement over `users`. This is the one
 * place that knows the sign-in methods: passkeys and single sign-on add their own here.
 */
export const signInMethodsColumn: SQL = sql`array_remove(array[
  case when users.password_hash <> '' then 'password' end,
  case when exists (select 1 from passkeys where passkeys.user_id = users.id) then 'passkey' end
]::text[], null) || array(
  select distinct case when user_identities.provider = 'github' then 'github' else 'sso' end
  from user_identities where user_identities.user_id = users.id order by 1
)`

/** Whether anyone other than `userId` is an admin (flagged, or listed in ADMIN_EMAILS) and not disabled. */
export async function otherAdminExists(userId: number): Promise<boolean> {
  const [row] = await queryRows<{ found: boolean }>(await useDb(), sql`
    select exists (select 1 from users where id <> ${userId} and not disabled and (is_admin or ${adminEmailCondition()})) as found`)
  return row?.found === true
}

/** Whether `users.email` is in ADMIN_EMAILS, as SQL (the list goes as one JSON parameter). */
export function adminEmailCondition(): SQL {
  return sql`lower(users.email) in (select jsonb_array_elements_text(${JSON.stringify([...serverConfig().adminEmails])}::jsonb))`
}
