import { ERRORS, passkeyAuthenticateSchema } from '#shared/contract'

const authenticate = defineWebAuthnAuthenticateEventHandler<StoredPasskey>({
  getOptions: () => ({ userVerification: 'required' }),
  storeChallenge: (_event, challenge, attemptId) => storePasskeyChallenge(challenge, attemptId, null),
  getChallenge: (_event, attemptId) => takePasskeyChallenge(attemptId, null),
  getCredential: (_event, credentialId) => passkeyByCredentialId(credentialId),
  async onSuccess(event, { credential, authenticationInfo }) {
    // The library does not insist on user verification; a passkey that replaces a password must.
    if (!authenticationInfo.userVerified) throw apiError(401, ERRORS.passkeyNotRecognised)
    await touchPasskey(credential.rowId, authenticationInfo.newCounter)
    await startSession(event, credential.userId)
  },
  onError: (_event, error) => {
    // The library's own failures (a signature, origin or counter that does not check out) come as 500s.
    throw error.statusCode >= 500 && !error.statusMessage ? apiError(401, ERRORS.passkeyNotRecognised) : error
  },
})

export default defineEventHandler(async (event) => {
  const body = await readValidatedJson(event, passkeyAuthenticateSchema)
  if (body.verify && (!body.attemptId || !body.response)) throw apiError(400, ERRORS.passkeyRequestInvalid)
  if (!body.verify) await countPasskeyAttempt(event)
  provideCheckedBody(event, body)
  const answer = await authenticate(event)
  if (!body.verify) return answer
  return { verified: true }
})
