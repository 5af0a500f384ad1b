import type { H3Event } from 'h3'
import type { SignInConfig } from './config.ts'

type GitHubConfig = NonNullable<SignInConfig['github']>

interface GitHubEmail {
  email: string
  primary: boolean
  verified: boolean
}

/**
 * nuxt-auth-utils' GitHub handler for this configuration (GitHub Enterprise Server's URLs when
 * set). It does the OAuth round trip with its state cookie; the identity is GitHub's numeric
 * user id, the email GitHub's primary one, verified or not as GitHub says.
 */
export function gitHubHandler(event: H3Event, config: GitHubConfig, redirect: string | undefined) {
  return defineOAuthGitHubEventHandler({
    config: {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authorizationURL: `${config.serverUrl}/login/oauth/authorize`,
      tokenURL: `${config.serverUrl}/login/oauth/access_token`,
      apiURL: config.apiUrl,
      redirectURL: ssoCallbackUrl(event),
      scope: ['read:user', 'user:email'],
    },
    async onSuccess(event, { user, tokens }) {
      const primary = await primaryEmail(config, tokens.access_token as string)
      return finishSsoSignIn(event, {
        provider: 'github',
        subject: String(user.id),
        email: primary?.email,
        emailVerified: primary?.verified === true,
      }, redirect)
    },
    onError(event, error) {
      if (/state mismatch/.test(error.message)) return ssoFailed(event, 'state')
      console.warn(`[sso] a GitHub sign-in failed: ${error.message}`)
      return ssoFailed(event, 'failed')
    },
  })
}

/** GitHub's public profile email may be any; the emails API says which is primary and verified. */
async function primaryEmail(config: GitHubConfig, accessToken: string): Promise<GitHubEmail | undefined> {
  const emails = await $fetch<GitHubEmail[]>(`${config.apiUrl}/user/emails`, {
    headers: { 'Authorization': `token ${accessToken}`, 'User-Agent': 'Neptun-chat', 'Accept': 'application/vnd.github+json' },
  })
  return emails.find(email => email.primary)
}

/**
 * The state cookie nuxt-auth-utils checks the answer against. Without it and without `state`
 * the library would compare undefined with undefined and let the answer through: such an answer
 * (a forged log-in link) is refused here first.
 */
export function hasGitHubState(event: H3Event): boolean {
  const state = getQuery(event).state
  return typeof state === 'string' && state.length > 0 && Boolean(getCookie(event, 'nuxt-auth-state'))
}
