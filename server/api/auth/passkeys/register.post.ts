import { ERRORS, passkeyRegisterSchema, type PublicUser } from '#shared/contract'

/** The signed-in user registering, handed from the route to nuxt-auth-utils' callbacks. */
const registering = new WeakMap<object, { user: PublicUser, passkeyName: string }>()

const register = defineWebAuthnRegisterEventHandler({
  // The passkey is the session's user's, whatever name the browser sent.
  validateUser: (_body, event) => ({ userName: registering.get(event)!.user.email }),
  getOptions: () => ({
    rpName: RELYING_PARTY_NAME,
    // Discoverable, so signing in needs no email; verified, since it replaces the password.
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  }),
  excludeCredentials: event => passkeyCredentialsOf(registering.get(event)!.user.id),
  storeChallenge: (event, challenge, attemptId) => storePasskeyChallenge(challenge, attemptId, registering.get(event)!.user.id),
  getChallenge: (event, attemptId) => takePasskeyChallenge(attemptId, registering.get(event)!.user.id),
  async onSuccess(event, { credential, registrationInfo }) {
    if (!registrationInfo.userVerified) throw apiError(400, ERRORS.passkeyVerificationFailed)
    const { user, passkeyName } = registering.get(event)!
    await storePasskey(user.id, passkeyName, credential)
  },
  onError: (_event, error) => {
    // The library's own failures (a signature or origin that does not check out) come as 500s.
    throw error.statusCode >= 500 && !error.statusMessage ? apiError(400, ERRORS.passkeyVerificationFailed) : error
  },
})

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const body = await readValidatedJson(event, passkeyRegisterSchema)
  if (body.verify && (!body.attemptId || !body.response)) throw apiError(400, ERRORS.passkeyRequestInvalid)
  provideCheckedBody(event, body)
  registering.set(event, { user, passkeyName: body.user.passkeyName ?? 'Passkey' })
  const answer = await register(event)
  // The library answers a verification with all it learnt (the public key…): the page needs only this.
  if (!body.verify) return answer
  setResponseStatus(event, 201)
  return { verified: true }
})
