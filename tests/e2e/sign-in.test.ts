// Signing in without a password, in Chromium: a passkey registered on the settings page with the
// DevTools protocol's virtual authenticator (offline) and used on the log-in page; and single
// sign-on through an OpenID Connect provider (oauth2-mock-server) started here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { ERRORS, PASSKEY_AUTHENTICATE_PATH } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startMockOidcProvider, type MockOidcProvider } from '../../harness/sso-providers.ts'
import { apiUser, appUrl, emulatorUrl, hydrated, launchChromium, newContext, shot, uniqueEmail } from './support.ts'

let browser: Browser
beforeAll(async () => { browser = await launchChromium() })
afterAll(async () => { await browser?.close() })

/** A passkey's relying party must be a domain, never an IP address: the browser uses localhost. */
const localhostUrl = () => appUrl().replace('127.0.0.1', 'localhost')

async function goto(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await hydrated(page)
}

/** What the page's session says about who is signed in (401: nobody). */
function whoAmI(page: Page): Promise<{ status: number, email?: string }> {
  return page.evaluate(async () => {
    const res = await fetch('/api/auth/me')
    return { status: res.status, email: res.ok ? (await res.json() as { user: { email: string } }).user.email : undefined }
  })
}

describe('passkeys', () => {
  it('registers a passkey in the settings, signs in with it instead of a password, and a replayed answer is refused', async () => {
    const user = await apiUser()
    const { context, page, pageErrors } = await newContext(browser)
    try {
      const session = user.cookie.slice(user.cookie.indexOf('=') + 1)
      await context.addCookies([{ name: 'neptun-session', value: session, url: localhostUrl() }])
      const cdp = await context.newCDPSession(page)
      await cdp.send('WebAuthn.enable')
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      })

      await goto(page, `${localhostUrl()}/settings`)
      await page.getByTestId('passkeys-empty').waitFor()
      await page.getByTestId('passkey-name-input').fill('Virtual key')
      await page.getByTestId('passkey-add').click()
      const row = page.getByTestId('passkey-row')
      await row.waitFor()
      expect(await row.getByTestId('passkey-name').innerText()).toBe('Virtual key')
      expect(await row.getByTestId('passkey-last-used').innerText()).toBe('Never')
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
      expect(credentials).toHaveLength(1)
      expect(credentials[0]!.isResidentCredential).toBe(true)
      await shot(page, 'passkey-registered')

      // Signed out, the passkey alone signs the user in: no email, no password.
      await context.clearCookies()
      await goto(page, `${localhostUrl()}/login?redirect=/settings`)
      expect((await whoAmI(page)).status).toBe(401)
      let answer: string | undefined
      page.on('request', (request) => {
        if (request.url().endsWith(PASSKEY_AUTHENTICATE_PATH) && request.postData()?.includes('"verify":true')) answer = request.postData()!
      })
      await page.getByTestId('passkey-sign-in').click()
      await page.waitForURL(url => url.pathname === '/settings')
      expect(await whoAmI(page)).toEqual({ status: 200, email: user.email })
      await page.getByTestId('passkey-row').waitFor()
      expect(await page.getByTestId('passkey-last-used').innerText()).not.toBe('Never')

      // The same answer again: its challenge was used up, so it signs nobody in.
      expect(answer).toBeDefined()
      const replay = await page.evaluate(async ([path, body]) => {
        const res = await fetch(path!, { method: 'POST', headers: { 'content-type': 'application/json' }, body, credentials: 'omit' })
        return { status: res.status, body: await res.json() as { statusMessage: string } }
      }, [PASSKEY_AUTHENTICATE_PATH, answer!])
      expect(replay).toEqual({ status: 400, body: { statusCode: 400, statusMessage: ERRORS.passkeyChallengeInvalid } })

      // Removed, it signs nobody in.
      await page.getByTestId('passkey-remove').click()
      await page.getByTestId('passkey-remove-confirm').click()
      await page.getByTestId('passkeys-empty').waitFor()
      await context.clearCookies()
      await goto(page, `${localhostUrl()}/login`)
      await page.getByTestId('passkey-sign-in').click()
      await page.getByTestId('passkey-error').waitFor()
      expect(await page.getByTestId('passkey-error').innerText()).toContain('not recognised')
      expect((await whoAmI(page)).status).toBe(401)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})

describe('single sign-on', () => {
  let oidc: MockOidcProvider
  let app: AppServer
  beforeAll(async () => {
    oidc = await startMockOidcProvider()
    app = await startAppServer({ emulatorUrl: emulatorUrl(), env: { OIDC_ISSUER: oidc.issuer, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME: 'Company SSO' } })
  })
  afterAll(async () => {
    await app?.stop()
    await oidc?.stop()
  })

  it('signs a new user in through the OpenID Connect provider from the log-in page', async () => {
    const email = uniqueEmail('e2e-oidc')
    oidc.signInAs({ subject: `e2e-${email}`, email, emailVerified: true })
    const { context, page, pageErrors } = await newContext(browser)
    try {
      await goto(page, `${app.url}/login?redirect=/settings`)
      const button = page.getByTestId('sso-oidc')
      expect(await button.innerText()).toBe('Continue with Company SSO')
      await shot(page, 'login-with-sso')
      await button.click()
      await page.waitForURL(`${app.url}/settings`)
      await hydrated(page)
      expect(await whoAmI(page)).toEqual({ status: 200, email })

      // An answer the provider did not give to this browser ends on the log-in page, saying why.
      await context.clearCookies()
      await goto(page, `${app.url}/api/auth/sso/oidc?code=stolen&state=forged`)
      await page.waitForURL(`${app.url}/login?sso_error=state`)
      await page.getByTestId('sso-error').waitFor()
      expect(await page.getByTestId('sso-error').innerText()).toContain('could not be matched')
      expect((await whoAmI(page)).status).toBe(401)
      expect(pageErrors).toEqual([])
    }
    finally {
      await context.close()
    }
  })
})
