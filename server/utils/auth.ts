import { eq } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { ERRORS, type PublicUser } from '#shared/contract'

/**
 * The signed-in user, or a 401. A session whose user was deleted, or whose version was revoked
 * (password change, "log out everywhere"), is cleared and refused.
 *
 * @example const user = await requireUser(event)
 */
export async function requireUser(event: H3Event): Promise<PublicUser> {
  const session = await getUserSession(event)
  const user = session.user
  if (!user || typeof user.id !== 'number') throw apiError(401, ERRORS.unauthorized)
  const db = await useDb()
  const [row] = await db.select({ version: tables.users.sessionVersion, email: tables.users.email }).from(tables.users).where(eq(tables.users.id, user.id))
  // The email guards against a cookie sealed with the same password for another database
  // (a reset, a second deployment), where the same id and version belong to someone else.
  if (!row || row.version !== session.version || row.email.toLowerCase() !== user.email.toLowerCase()) {
    await clearUserSession(event)
    throw apiError(401, ERRORS.unauthorized)
  }
  return { id: user.id, email: user.email }
}

/** Issues the neptun-session cookie for `user` at its current session version. */
export async function startSession(event: H3Event, user: PublicUser & { sessionVersion: number }): Promise<void> {
  await replaceUserSession(event, { user: { id: user.id, email: user.email }, version: user.sessionVersion })
}
