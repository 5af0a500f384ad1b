import type { H3Event } from 'h3'
import type * as Oidc from 'openid-client'
import type { SignInConfig } from './config.ts'

type OidcConfig = NonNullable<SignInConfig['oidc']>

/** What the app asks the provider for: who (openid), and the email to link or create the account by. */
const SCOPE = 'openid email profile'

let discovered: { key: string, configuration: Promise<Oidc.Configuration> } | undefined

/** openid-client, loaded at the first single sign-on rather than held by every server from its start. */
let client: Promise<typeof Oidc> | undefined
const openidClient = () => client ??= import('openid-client')

/**
 * The provider's configuration from `<issuer>/.well-known/openid-configuration`, fetched once per
 * instance (again after a failure). ID tokens are checked against the issuer's published keys
 * too (openid-client's non-repudiation checks), not only by the TLS connection they came over.
 * Plain http is allowed for an issuer on this machine only (a local Keycloak, the tests' mock).
 */
function providerConfiguration(config: OidcConfig, oidc: typeof Oidc): Promise<Oidc.Configuration> {
  const key = `${config.issuer}\n${config.clientId}`
  if (discovered?.key === key) return discovered.configuration
  const issuer = new URL(config.issuer)
  const execute = [oidc.enableNonRepudiationChecks]
  if (issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname)) execute.push(oidc.allowInsecureRequests)
  const configuration = oidc.discovery(issuer, config.clientId, { client_secret: config.clientSecret || undefined }, undefined, { execute })
  configuration.catch(() => {
    if (discovered?.configuration === configuration) discovered = undefined
  })
  discovered = { key, configuration }
  return configuration
}

/**
 * Sends the browser to the provider: authorization code flow with PKCE (S256), state and nonce,
 * all three kept in this browser's sealed attempt cookie.
 */
export async function startOidcSignIn(event: H3Event, config: OidcConfig) {
  const oidc = await openidClient()
  const configuration = await providerConfiguration(config, oidc)
  const codeVerifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  await beginSsoAttempt(event, { state, nonce, codeVerifier })
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: ssoCallbackUrl(event),
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  return sendRedirect(event, url.href, 302)
}

/**
 * The provider's answer: the state must be this browser's attempt's; openid-client then trades
 * the code (with the PKCE verifier) and checks the ID token (signature, issuer, audience, expiry,
 * nonce). The identity is the token's `sub` at this issuer.
 */
export async function finishOidcSignIn(event: H3Event, config: OidcConfig) {
  const attempt = await takeSsoAttempt(event)
  const query = getQuery(event)
  if (!attempt.state || !attempt.nonce || !attempt.codeVerifier || query.state !== attempt.state) return ssoFailed(event, 'state')
  if (query.error) return ssoFailed(event, 'failed')
  let claims: Oidc.IDToken | undefined
  try {
    const oidc = await openidClient()
    const configuration = await providerConfiguration(config, oidc)
    const callback = new URL(ssoCallbackUrl(event))
    callback.search = getRequestURL(event).search
    const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
    claims = tokens.claims()
  }
  catch (error) {
    console.warn(`[sso] an OpenID Connect sign-in failed: ${error instanceof Error ? error.message : 'unknown error'}`)
    return ssoFailed(event, 'failed')
  }
  if (!claims) return ssoFailed(event, 'failed')
  return finishSsoSignIn(event, {
    provider: `oidc:${config.issuer}`,
    subject: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    emailVerified: claims.email_verified === true || (config.trustEmail && claims.email_verified === undefined),
  }, attempt.redirect)
}
