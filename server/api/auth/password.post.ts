import { eq, sql } from 'drizzle-orm'
import { ERRORS, passwordChangeSchema } from '#shared/contract'

/** Changes the password and revokes every other session; this one gets a fresh cookie. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { currentPassword, newPassword } = await readValidatedJson(event, passwordChangeSchema)
  // Guesses here and at log-in share one budget per account.
  const succeeded = await countPasswordAttempt(event, user.email.toLowerCase(), ERRORS.passwordThrottled)
  const db = await useDb()
  const [row] = await db.select().from(tables.users).where(eq(tables.users.id, user.id))
  if (!row || !await verifyPasswordOf(row.passwordHash, currentPassword)) throw apiError(401, ERRORS.invalidCredentials)
  await succeeded()
  const [updated] = await db.update(tables.users)
    .set({ passwordHash: await hashNewPassword(newPassword), sessionVersion: sql`${tables.users.sessionVersion} + 1` })
    .where(eq(tables.users.id, user.id))
    .returning({ id: tables.users.id, email: tables.users.email, sessionVersion: tables.users.sessionVersion })
  await startSession(event, updated!.id)
  return sendNoContent(event, 204)
})
