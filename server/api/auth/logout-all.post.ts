import { eq, sql } from 'drizzle-orm'

/** "Log out everywhere": every session issued so far stops working, this one included. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const db = await useDb()
  await db.update(tables.users).set({ sessionVersion: sql`${tables.users.sessionVersion} + 1` }).where(eq(tables.users.id, user.id))
  await clearUserSession(event)
  return sendNoContent(event, 204)
})
