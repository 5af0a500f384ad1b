import { sql } from 'drizzle-orm'
import { ERRORS, isLocaleCode, loginSchema } from '#shared/contract'

export default defineEventHandler(async (event) => {
  const { email, password } = await readValidatedJson(event, loginSchema)
  await assertLoginAllowed(event, email)
  const db = await useDb()
  const [user] = await db.select().from(tables.users).where(sql`lower(${tables.users.email}) = ${email}`)
  // Unknown email and wrong password take the same path and the same answer.
  const valid = user ? await verifyPassword(user.passwordHash, password) : false
  if (!user || !valid) {
    await recordLoginFailure(event, email)
    throw apiError(401, ERRORS.invalidCredentials)
  }
  await startSession(event, user)
  // The language the user chose follows them to this browser.
  if (isLocaleCode(user.locale)) sendLocaleCookie(event, user.locale)
  return { user: { id: user.id, email: user.email } }
})
