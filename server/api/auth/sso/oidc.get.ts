import { ERRORS } from '#shared/contract'

/**
 * GET /api/auth/sso/oidc: without `code`, leaves for the OpenID Connect provider (OIDC_ISSUER);
 * with it, the provider's answer: signs in and goes on to `?redirect=`, or back to /login.
 */
export default defineEventHandler((event) => {
  const config = serverConfig().signIn.oidc
  if (!config) throw apiError(404, ERRORS.ssoNotConfigured)
  const query = getQuery(event)
  return query.code || query.error ? finishOidcSignIn(event, config) : startOidcSignIn(event, config)
})
