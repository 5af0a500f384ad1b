import { sql } from 'drizzle-orm'
import { ERRORS, type FeedbackRating, type MessageFeedback, type ModelFeedback } from '#shared/contract'

// Feedback on answers: one rating (and optional comment) per answer, only in the user's own
// chats. Another user's chat or message is a 404, exactly like a missing one.

interface Target {
  owned: boolean
  role: 'user' | 'assistant' | null
}

function checkTarget(target: Target | undefined): void {
  if (!target?.owned) throw apiError(404, ERRORS.chatNotFound)
  if (!target.role) throw apiError(404, ERRORS.messageNotFound)
  if (target.role !== 'assistant') throw apiError(400, ERRORS.feedbackOnAnswersOnly)
}

/** The chat's ownership and the message's role, for the statements below. */
function targetOf(userId: number, chatId: number, messageId: number) {
  return sql`select exists (select 1 from chats where id = ${chatId} and user_id = ${userId}) as owned,
    (select m.role from messages m join chats c on c.id = m.chat_id where m.id = ${messageId} and m.chat_id = ${chatId} and c.user_id = ${userId}) as role`
}

/**
 * Sets or replaces the user's feedback on answer `messageId` of chat `chatId`, in one statement.
 * 400 on a user's own message; 403 when the comment would take the user past the storage quota.
 */
export async function setFeedback(userId: number, chatId: number, messageId: number, feedback: { rating: FeedbackRating, comment?: string }): Promise<MessageFeedback> {
  const comment = feedback.comment || null
  const { storageBytesPerUser } = serverConfig().limits
  const db = await useDb()
  const [row] = await queryRows<Target & { over_quota: boolean, rating: FeedbackRating | null, comment: string | null }>(db, sql`
    with target as (${targetOf(userId, chatId, messageId)}),
    quota as (
      select ${storageBytesPerUser}::bigint > 0 and octet_length(coalesce(${comment}::text, '')) > 0
        and (select stored_bytes from users where id = ${userId}) + octet_length(${comment}::text) > ${storageBytesPerUser}::bigint as over_quota
    ),
    saved as (
      insert into message_feedback (message_id, user_id, rating, comment, updated_at)
      select ${messageId}, ${userId}, ${feedback.rating}, ${comment}, now() from target, quota
      where target.owned and target.role = 'assistant' and not quota.over_quota
      on conflict (message_id) do update set rating = excluded.rating, comment = excluded.comment, updated_at = now()
      returning rating, comment
    )
    select target.owned, target.role, quota.over_quota, saved.rating, saved.comment from target cross join quota left join saved on true`)
  checkTarget(row)
  if (row!.over_quota) throw apiError(403, ERRORS.storageQuotaReached)
  return { rating: row!.rating!, comment: row!.comment }
}

/** Clears the user's feedback on an answer (nothing to clear is fine); the same 404s and 400 as setting it. */
export async function clearFeedback(userId: number, chatId: number, messageId: number): Promise<void> {
  const db = await useDb()
  const [row] = await queryRows<Target>(db, sql`
    with target as (${targetOf(userId, chatId, messageId)}),
    cleared as (
      delete from message_feedback where message_id = ${messageId} and (select owned and role = 'assistant' from target)
    )
    select owned, role from target`)
  checkTarget(row)
}

/** Ratings of the user's answers per model that wrote them, for the usage page. */
export async function feedbackPerModel(userId: number): Promise<ModelFeedback[]> {
  const db = await useDb()
  const rows = await queryRows<{ model: string | null, up: number, down: number }>(db, sql`
    select m.model, (count(*) filter (where f.rating = 'up'))::integer as up, (count(*) filter (where f.rating = 'down'))::integer as down
    from message_feedback f join messages m on m.id = f.message_id
    where f.user_id = ${userId} group by m.model order by m.model`)
  return rows.map(row => ({ model: row.model ?? '', up: row.up, down: row.down }))
}
