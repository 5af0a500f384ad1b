import { signUpSchema } from '#shared/contract'

/** POST /api/auth/sign-up {email, password, invite?}: as SIGNUP_MODE allows (GET tells which). */
export default defineEventHandler(async (event) => {
  assertPasswordSignIn()
  const { email, password, invite } = await readValidatedJson(event, signUpSchema)
  await countSignUp(event)
  const user = await signUpAccount(event, { email, password, invite })
  await startSession(event, user.id)
  setResponseStatus(event, 201)
  return { user: { id: user.id, email: user.email } }
})
