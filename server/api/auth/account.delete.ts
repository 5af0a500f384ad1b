import { accountDeleteSchema } from '#shared/contract'

/**
 * DELETE /api/auth/account {password?}: deletes the caller's account and everything they own.
 * The password for accounts that have one; otherwise a sign-in within the last few minutes.
 */
export default defineEventHandler(async (event) => {
  const signedIn = await requireUserOwning(event, undefined, { countApiCall: true })
  const { password } = await readValidatedJson(event, accountDeleteSchema)
  await deleteOwnAccount(event, signedIn, password)
  return sendNoContent(event, 204)
})
