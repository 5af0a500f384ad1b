import { eq, sql } from 'drizzle-orm'
import { TEAM_ERRORS, type AdminUser } from '#shared/contract'
import { UTC_TODAY } from './usage-store.ts'

const { users } = tables

interface AdminUserRow {
  id: number
  email: string
  is_admin: boolean
  by_env: boolean
  disabled: boolean
  sign_in_methods: string[]
  created_at: string | Date
  last_active_at: string | Date | null
  chats: number | string
  tokens: number | string
  neurons: number | string
  daily_neuron_limit: number | string | null
  allowed_models: string[] | null
}

/**
 * Every user with what the admin page shows. "Last active" is the latest of the last sign-in,
 * the last chat activity and the last API key use, all kept anyway (no write per request).
 */
export async function listAdminUsers(): Promise<AdminUser[]> {
  const rows = await queryRows<AdminUserRow>(await useDb(), sql`
    with month as (select date_trunc('month', ${UTC_TODAY}::timestamp)::date as start)
    select users.id, users.email, users.is_admin, ${adminEmailCondition()} as by_env, users.disabled,
      ${signInMethodsColumn} as sign_in_methods, users.created_at, users.daily_neuron_limit, users.allowed_models,
      greatest(users.last_active_at,
        (select max(updated_at) from chats where chats.user_id = users.id),
        (select max(last_used_at) from api_keys where api_keys.user_id = users.id)) as last_active_at,
      (select count(*) from chats where chats.user_id = users.id) as chats,
      coalesce(u.tokens, 0) as tokens, coalesce(u.neurons, 0) as neurons
    from users
    left join (
      select user_id, sum(prompt_tokens + completion_tokens) as tokens, sum(neurons) as neurons
      from daily_usage, month where day >= month.start group by user_id
    ) u on u.user_id = users.id
    order by users.id`)
  return rows.map(row => ({
    id: row.id,
    email: row.email,
    admin: row.is_admin || row.by_env,
    adminByEnv: row.by_env,
    disabled: row.disabled,
    signInMethods: row.sign_in_methods,
    createdAt: new Date(row.created_at).toISOString(),
    lastActiveAt: row.last_active_at === null ? null : new Date(row.last_active_at).toISOString(),
    chats: Number(row.chats),
    tokensThisMonth: Number(row.tokens),
    neuronsThisMonth: Number(row.neurons),
    dailyNeuronLimit: row.daily_neuron_limit === null ? null : Number(row.daily_neuron_limit),
    allowedModels: row.allowed_models,
  }))
}

/** The user with this id, or 404. */
export async function findUserOr404(id: number) {
  const db = await useDb()
  const [user] = await db.select({ id: users.id, email: users.email, isAdmin: users.isAdmin, disabled: users.disabled })
    .from(users).where(eq(users.id, id))
  if (!user) throw apiError(404, TEAM_ERRORS.userNotFound)
  return user
}

export interface AdminUserPatch {
  disabled?: boolean
  admin?: boolean
  dailyNeuronLimit?: number | null
  allowedModels?: string[] | null
}

/**
 * Applies an admin's change to a user and records it, in one transaction. Disabling also ends
 * every session issued so far (the session version moves on), so enabling the user again does
 * not bring old cookies back; their API keys work again once enabled. An admin cannot disable
 * or demote themselves, nor demote someone ADMIN_EMAILS lists.
 *
 * @example await updateUserAsAdmin(admin, 7, { disabled: true })
 */
export async function updateUserAsAdmin(actor: { id: number, email: string }, id: number, patch: AdminUserPatch): Promise<void> {
  const target = await findUserOr404(id)
  if (id === actor.id && (patch.disabled === true || patch.admin === false)) throw apiError(409, TEAM_ERRORS.notOnYourself)
  if (patch.admin === false && isAdminEmail(target.email)) throw apiError(409, TEAM_ERRORS.adminByEnv)
  const values = {
    disabled: patch.disabled,
    sessionVersion: patch.disabled === true && !target.disabled ? sql`${users.sessionVersion} + 1` : undefined,
    isAdmin: patch.admin,
    dailyNeuronLimit: patch.dailyNeuronLimit,
    allowedModels: patch.allowedModels,
  }
  const db = await useDb()
  await db.transaction(async (tx) => {
    await tx.update(users).set(values).where(eq(users.id, id))
    for (const field of PATCH_FIELDS) {
      if (patch[field] === undefined) continue
      await recordAdminAction(tx, actor, adminAction(field, patch[field]), target, { [field]: patch[field] })
    }
  })
}

/** The fields of a change, in the order the audit log records them. */
const PATCH_FIELDS = ['disabled', 'admin', 'dailyNeuronLimit', 'allowedModels'] as const

/** The audit log's name for a change of one field. */
function adminAction(field: string, value: unknown): string {
  if (field === 'disabled') return value ? 'user.disable' : 'user.enable'
  if (field === 'admin') return value ? 'user.make_admin' : 'user.remove_admin'
  if (field === 'dailyNeuronLimit') return 'user.set_daily_neuron_limit'
  return 'user.set_allowed_models'
}

/**
 * Deletes a user and everything they own (`delete_user`, team_admin_sql migration), recorded
 * by the admin who did it. Not oneself: that is account deletion, with its own checks.
 */
export async function deleteUserAsAdmin(actor: { id: number, email: string }, id: number): Promise<void> {
  if (id === actor.id) throw apiError(409, TEAM_ERRORS.notOnYourself)
  const target = await findUserOr404(id)
  const db = await useDb()
  await db.transaction(async (tx) => {
    // Recorded first: deleting the user then clears the entry's target id, keeping the email.
    await recordAdminAction(tx, actor, 'user.delete', target)
    await tx.execute(sql`select delete_user(${id})`)
  })
}
