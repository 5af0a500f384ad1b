import { eq, sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { ERRORS, type PublicUser } from '#shared/contract'

const { users } = tables

/**
 * The signed-in user, or a 401. A session whose user was deleted, or whose version was revoked
 * (password change, "log out everywhere"), is cleared and refused.
 *
 * @example const user = await requireUser(event)
 */
export async function requireUser(event: H3Event): Promise<PublicUser> {
  return (await requireUserOwning(event, undefined)).user
}

/**
 * requireUser, and in the same statement whether chat `chatId` is the user's: a chat turn reads
 * the database once before it streams. The caller throws the 404 in the contract's order.
 *
 * @example const { user, ownsChat } = await requireUserOwning(event, 42)
 */
export async function requireUserOwning(event: H3Event, chatId: number | undefined): Promise<{ user: PublicUser, ownsChat: boolean }> {
  const session = await getUserSession(event)
  const user = session.user
  if (!user || typeof user.id !== 'number') throw apiError(401, ERRORS.unauthorized)
  const db = await useDb()
  const [row] = await db.select({
    version: users.sessionVersion,
    email: users.email,
    ownsChat: chatId === undefined
      ? sql<boolean>`false`
      // Spelled out: drizzle drops table names inside sql``, and "id" would mean chats.id here.
      : sql<boolean>`exists (select 1 from chats where chats.id = ${chatId} and chats.user_id = users.id)`,
  }).from(users).where(eq(users.id, user.id))
  // The email guards against a cookie sealed with the same password for another database
  // (a reset, a second deployment), where the same id and version belong to someone else.
  if (!row || row.version !== session.version || row.email.toLowerCase() !== user.email.toLowerCase()) {
    await clearUserSession(event)
    throw apiError(401, ERRORS.unauthorized)
  }
  return { user: { id: user.id, email: user.email }, ownsChat: row.ownsChat === true }
}

/** Issues the neptun-session cookie for `user` at its current session version. */
export async function startSession(event: H3Event, user: PublicUser & { sessionVersion: number }): Promise<void> {
  await replaceUserSession(event, { user: { id: user.id, email: user.email }, version: user.sessionVersion })
}
