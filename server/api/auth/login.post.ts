import { sql } from 'drizzle-orm'
import { ERRORS, loginSchema } from '#shared/contract'

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
  return { user: { id: user.id, email: user.email } }
})
