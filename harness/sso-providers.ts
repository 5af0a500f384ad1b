// Local stand-ins for single sign-on providers, started by the tests themselves: an OpenID
// Connect provider (oauth2-mock-server: discovery, authorize, token, JWKS, signed ID tokens) and
// a fake of GitHub's OAuth and REST endpoints (GitHub has no offline stand-in).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OAuth2Server } from 'oauth2-mock-server'

export const OIDC_CLIENT_ID = 'neptun-test-client'
export const OIDC_CLIENT_SECRET = 'neptun-test-secret'

/** Who the next sign-in at a stand-in provider is. */
export interface ProviderAccount {
  subject: string
  email?: string
  emailVerified?: boolean
  /** OpenID Connect only: an ID token with this nonce instead of the one asked for. */
  nonce?: string
}

export interface MockOidcProvider {
  issuer: string
  /** The account the next ID tokens name (every sign-in until changed). */
  signInAs: (account: ProviderAccount) => void
  stop: () => Promise<void>
}

/** oauth2-mock-server on 127.0.0.1, its ID tokens naming the account given to signInAs. */
export async function startMockOidcProvider(): Promise<MockOidcProvider> {
  const server = new OAuth2Server()
  await server.issuer.keys.generate('RS256')
  let account: ProviderAccount = { subject: 'nobody' }
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    // Only the ID token has this client as its audience; the access token is left alone.
    if (token.payload.aud !== OIDC_CLIENT_ID) return
    Object.assign(token.payload, { sub: account.subject, email: account.email, email_verified: account.emailVerified })
    if (account.nonce) token.payload.nonce = account.nonce
  })
  await server.start(0, '127.0.0.1')
  return {
    issuer: server.issuer.url!,
    signInAs: (next) => {
      account = next
    },
    stop: () => server.stop(),
  }
}

export interface FakeGitHub {
  url: string
  signInAs: (account: ProviderAccount) => void
  /** How many access tokens were asked for (a refused flow must not reach the token endpoint). */
  tokenRequests: () => number
  stop: () => Promise<void>
}

/**
 * GitHub's OAuth endpoints (authorize redirects straight back with a code, as after the user
 * agreed) and the two REST calls the sign-in makes: /user and /user/emails.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  let account: ProviderAccount = { subject: '0' }
  let tokens = 0
  const codes = new Map<string, ProviderAccount>()
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://github.test')
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/login/oauth/authorize') {
      const code = `code-${codes.size + 1}`
      codes.set(code, account)
      const back = new URL(url.searchParams.get('redirect_uri')!)
      back.searchParams.set('code', code)
      back.searchParams.set('state', url.searchParams.get('state') ?? '')
      res.writeHead(302, { location: back.href })
      return res.end()
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let body = ''
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => {
        tokens++
        const code = new URLSearchParams(body).get('code') ?? ''
        if (!codes.has(code)) return json(200, { error: 'bad_verification_code' })
        json(200, { access_token: `token-${code}`, token_type: 'bearer', scope: 'read:user,user:email' })
      })
      return
    }
    const signedIn = codes.get((req.headers.authorization ?? '').replace(/^token token-/, ''))
    if (!signedIn) return json(401, { message: 'Bad credentials' })
    if (url.pathname === '/user') return json(200, { id: Number(signedIn.subject), login: `user${signedIn.subject}`, email: null })
    if (url.pathname === '/user/emails') return json(200, signedIn.email ? [{ email: signedIn.email, primary: true, verified: signedIn.emailVerified === true }] : [])
    json(404, { message: 'Not Found' })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    signInAs: (next) => {
      account = next
    },
    tokenRequests: () => tokens,
    stop: () => new Promise(resolve => server.close(() => resolve())),
  }
}

/** The Cookie header for a response's Set-Cookie headers (name=value pairs only), merged into `jar`. */
export function keepCookies(jar: Map<string, string>, res: Response): void {
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';')
    const at = pair!.indexOf('=')
    const name = pair!.slice(0, at)
    const value = pair!.slice(at + 1)
    if (value === '' || /max-age=0\b/i.test(header)) jar.delete(name)
    else jar.set(name, value)
  }
}

export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}
