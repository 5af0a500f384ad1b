import type { H3Event } from 'h3'
import { DEFAULTS, ERRORS, ssoPath, type SignInMethods } from '#shared/contract'

/**
 * How one may sign in here, for the log-in and sign-up pages: never a secret, only which ways
 * are on and the labels of their buttons.
 *
 * @example signInMethods() // { password: true, passkeys: true, sso: [{ provider: 'github', … }] }
 */
export function signInMethods(): SignInMethods {
  const { password, github, oidc } = serverConfig().signIn
  const sso: SignInMethods['sso'] = []
  if (github) sso.push({ provider: 'github', name: 'GitHub', url: ssoPath('github') })
  if (oidc) sso.push({ provider: 'oidc', name: oidc.name, url: ssoPath('oidc') })
  return { password, passkeys: true, sso }
}

/** 403 when AUTH_PASSWORD=false: password log-in and sign-up are off. */
export function assertPasswordSignIn(): void {
  if (!serverConfig().signIn.password) throw apiError(403, ERRORS.passwordSignInDisabled)
}

/**
 * Whether single sign-on may create an account for `email`, who has none yet: as AUTH_SSO_SIGNUP
 * says, and when it is unset as SIGNUP_MODE allows a sign-up without an invite (open, the first
 * account, an ADMIN_EMAILS address). A GitHub button must not open an invite-only server to
 * everyone on GitHub unless the operator says so.
 *
 * @example if (!await mayCreateAccountBySso(email)) return { error: 'signup_closed' }
 */
export async function mayCreateAccountBySso(email: string): Promise<boolean> {
  return serverConfig().signIn.ssoSignUp ?? await accountCreationAllowed(email)
}

/**
 * Counts a request for passkey sign-in options per client address (LOGIN_RATE_LIMIT_PER_IP per
 * log-in window): each one stores a challenge, so nobody may fill the table.
 */
export async function countPasskeyAttempt(event: H3Event): Promise<void> {
  const address = clientAddress(event)
  if (!address) return
  await assertRateLimits([{ key: `passkey:ip:${address}`, limit: serverConfig().limits.loginFailuresPerIp, windowSeconds: DEFAULTS.loginWindowMinutes * 60 }], ERRORS.loginThrottled)
}
