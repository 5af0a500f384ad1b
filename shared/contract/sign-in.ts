/**
 * Signing in without a password: passkeys (WebAuthn) and single sign-on (GitHub, OpenID
 * Connect). Zod-free, so the pages can import it.
 */

export const SIGN_IN_LIMITS = {
  /** Characters in a passkey's name. */
  maxPasskeyNameChars: 100,
  /** Passkeys one user may register. */
  maxPasskeysPerUser: 20,
  /** How long a WebAuthn challenge waits for its answer, in seconds. */
  challengeSeconds: 300,
  /** How long a single sign-on round trip to the provider may take, in seconds. */
  ssoRoundTripSeconds: 600,
} as const

/** The single sign-on providers Neptun knows; which ones are on depends on the configuration. */
export const SSO_PROVIDERS = ['github', 'oidc'] as const
export type SsoProvider = (typeof SSO_PROVIDERS)[number]

/** Where the browser goes to sign in with a provider (it comes back to the same path). */
export const ssoPath = (provider: SsoProvider): string => `/api/auth/sso/${provider}`

/** The passkey routes, in nuxt-auth-utils' useWebAuthn protocol. */
export const PASSKEY_REGISTER_PATH = '/api/auth/passkeys/register'
export const PASSKEY_AUTHENTICATE_PATH = '/api/auth/passkeys/authenticate'

/**
 * Why a single sign-on ended on the log-in page (`/login?sso_error=<code>`): the flow is a
 * browser navigation, so its failures are a page, not a JSON body.
 */
export const SSO_ERRORS = [
  /** The provider's answer did not belong to this browser's attempt (state, PKCE, nonce). */
  'state',
  /** The provider refused, or its answer (token, ID token) did not check out. */
  'failed',
  /** The provider's email is not verified: it neither links to an account nor makes one. */
  'email_unverified',
  /** The provider gave no email, which a new account needs. */
  'no_email',
  /** No account is linked and single sign-on may not create one. */
  'signup_closed',
  /** The account is disabled by an admin. */
  'disabled',
] as const
export type SsoError = (typeof SSO_ERRORS)[number]

/** How one may sign in here (GET /api/auth/methods): what the log-in and sign-up pages offer. */
export interface SignInMethods {
  /** False with AUTH_PASSWORD=false: only single sign-on and passkeys. */
  password: boolean
  passkeys: boolean
  /** The configured providers, with the label of their button. */
  sso: { provider: SsoProvider, name: string, url: string }[]
}

/** A passkey as the settings page lists it. */
export interface PasskeySummary {
  id: number
  name: string
  createdAt: string
  lastUsedAt: string | null
}
