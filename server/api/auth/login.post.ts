import { sql } from 'drizzle-orm'
import { ERRORS, loginSchema } from '#shared/contract'

export default defineEventHandler(async (event) => {
  assertPasswordSignIn()
  const { email, password } = await readValidatedJson(event, loginSchema)
  const succeeded = await countPasswordAttempt(event, email, ERRORS.loginThrottled)
  const db = await useDb()
  const [user] = await db.select().from(tables.users).where(sql`lower(${tables.users.email}) = ${email}`)
  // Unknown email and wrong password take the same path, the same time and the same answer.
  if (!await verifyPasswordOf(user?.passwordHash, password)) throw apiError(401, ERRORS.invalidCredentials)
  await succeeded()
  await startSession(event, user!.id)
  return { user: { id: user!.id, email: user!.email } }
})
