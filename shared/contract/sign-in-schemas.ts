import { z } from 'zod'
import { ERRORS } from './errors.ts'
import { LIMITS } from './limits.ts'
import { SIGN_IN_LIMITS, SSO_PROVIDERS } from './sign-in.ts'

const passkeyName = z.string({ error: ERRORS.passkeyNameInvalid }).trim()
  .min(1, { error: ERRORS.passkeyNameInvalid }).max(SIGN_IN_LIMITS.maxPasskeyNameChars, { error: ERRORS.passkeyNameInvalid })

/** A WebAuthn answer from the browser (@simplewebauthn's JSON); the library checks the rest. */
const webAuthnResponse = z.looseObject({ id: z.string().min(1).max(1024), type: z.literal('public-key') })
const attemptId = z.string().min(1).max(100)

/**
 * POST /api/auth/passkeys/register, in nuxt-auth-utils' useWebAuthn protocol: first
 * `{user, verify: false}` for the options, then `{user, verify: true, attemptId, response}`.
 * `user.userName` is required by the protocol and ignored: the passkey is the signed-in user's.
 */
export const passkeyRegisterSchema = z.object({
  user: z.object({
    userName: z.string().min(1).max(LIMITS.maxEmailLength),
    displayName: z.string().max(LIMITS.maxEmailLength).optional(),
    passkeyName: passkeyName.optional(),
  }),
  verify: z.boolean(),
  attemptId: attemptId.optional(),
  response: webAuthnResponse.optional(),
}, { error: ERRORS.passkeyRequestInvalid })

/** POST /api/auth/passkeys/authenticate: `{verify: false}` for the options, then the answer. */
export const passkeyAuthenticateSchema = z.object({
  verify: z.boolean(),
  userName: z.string().max(LIMITS.maxEmailLength).optional(),
  attemptId: attemptId.optional(),
  response: webAuthnResponse.optional(),
}, { error: ERRORS.passkeyRequestInvalid })

/** Responses, for the OpenAPI document. */
export const signInMethodsSchema = z.object({
  password: z.boolean().meta({ description: 'False with AUTH_PASSWORD=false: log-in and sign-up by password answer 403.' }),
  passkeys: z.boolean(),
  sso: z.array(z.object({ provider: z.enum(SSO_PROVIDERS), name: z.string(), url: z.string() })),
}).meta({ id: 'SignInMethods' })

export const passkeySummarySchema = z.object({
  id: z.int(),
  name: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
}).meta({ id: 'PasskeySummary' })

export const webAuthnOptionsSchema = z.looseObject({
  attemptId: z.string(),
}).meta({ id: 'WebAuthnOptions', description: '`creationOptions` or `requestOptions` for the browser (@simplewebauthn), and the `attemptId` to send back with its answer.' })

export const passkeyVerifiedSchema = z.object({ verified: z.literal(true) }).meta({ id: 'PasskeyVerified' })
