import { isError, type H3Event } from 'h3'
import { SIGN_IN_LIMITS, type SsoError } from '#shared/contract'
import { safeRedirect } from '../../utils/safe-redirect.ts'

/** What one browser's single sign-on attempt keeps between leaving for the provider and coming back. */
export interface SsoAttempt {
  /** The in-app path to land on afterwards. */
  redirect?: string
  /** OpenID Connect: the state, nonce and PKCE verifier the answer must match. */
  state?: string
  nonce?: string
  codeVerifier?: string
}

/** A sealed cookie of its own (the session password seals it), for one round trip to the provider. */
function attemptSession(event: H3Event) {
  return useSession<SsoAttempt>(event, {
    name: 'neptun-sso',
    password: serverConfig().sessionPassword,
    maxAge: SIGN_IN_LIMITS.ssoRoundTripSeconds,
    cookie: { sameSite: 'lax', httpOnly: true, secure: !import.meta.dev, path: '/api/auth/sso' },
  })
}

/** Starts an attempt: what it must remember, and where to go afterwards (from `?redirect=`). */
export async function beginSsoAttempt(event: H3Event, attempt: SsoAttempt = {}): Promise<void> {
  const session = await attemptSession(event)
  await session.clear()
  await session.update({ ...attempt, redirect: safeRedirect(getQuery(event).redirect) })
}

/** Ends the attempt and gives back what it remembered (empty when there was none: no cookie, expired). */
export async function takeSsoAttempt(event: H3Event): Promise<SsoAttempt> {
  const session = await attemptSession(event)
  const attempt = { ...session.data }
  await session.clear()
  return attempt
}

/** Signs the identity in through startSession, or sends the browser back to the log-in page with why not. */
export async function finishSsoSignIn(event: H3Event, identity: SsoIdentity, redirect: string | undefined) {
  const account = await accountForIdentity(identity)
  if ('error' in account) return ssoFailed(event, account.error)
  try {
    await startSession(event, account.userId)
  }
  catch (error) {
    // startSession refuses a disabled account with a 403: here that is a page too.
    if (isError(error) && error.statusCode === 403) return ssoFailed(event, 'disabled')
    throw error
  }
  return sendRedirect(event, safeRedirect(redirect), 302)
}

/** A single sign-on that did not end in a session: the log-in page says why. */
export function ssoFailed(event: H3Event, error: SsoError) {
  return sendRedirect(event, `/login?sso_error=${error}`, 302)
}

/**
 * Where the provider sends the browser back: this route, on the host the browser asked for (the
 * URL to register at the provider, e.g. https://chat.example.com/api/auth/sso/oidc).
 */
export function ssoCallbackUrl(event: H3Event): string {
  return `${getRequestProtocol(event)}://${requestHost(event)}${getRequestURL(event).pathname}`
}
