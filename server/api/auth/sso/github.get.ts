import { ERRORS } from '#shared/contract'

/**
 * GET /api/auth/sso/github: without `code`, leaves for GitHub; with it, GitHub's answer: signs
 * in and goes on to `?redirect=`, or back to /login.
 */
export default defineEventHandler(async (event) => {
  const config = serverConfig().signIn.github
  if (!config) throw apiError(404, ERRORS.ssoNotConfigured)
  const query = getQuery(event)
  if (!query.code && !query.error) {
    await beginSsoAttempt(event)
    return gitHubHandler(event, config, undefined)(event)
  }
  const attempt = await takeSsoAttempt(event)
  if (!hasGitHubState(event)) return ssoFailed(event, 'state')
  return gitHubHandler(event, config, attempt.redirect)(event)
})
