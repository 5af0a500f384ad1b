import { ERRORS, credentialsSchema } from '#shared/contract'

export default defineEventHandler(async (event) => {
  assertPasswordSignIn()
  const { email, password } = await readValidatedJson(event, credentialsSchema)
  await countSignUp(event)
  const db = await useDb()
  const passwordHash = await hashPassword(password)
  const [user] = await db.insert(tables.users)
    .values({ email, passwordHash, locale: localeFromCookie(event) })
    .onConflictDoNothing()
    .returning({ id: tables.users.id, email: tables.users.email, sessionVersion: tables.users.sessionVersion })
  if (!user) throw apiError(409, ERRORS.emailTaken)
  await startSession(event, user)
  setResponseStatus(event, 201)
  return { user: { id: user.id, email: user.email } }
})
