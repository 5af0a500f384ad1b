// Passkeys through the API, where no authenticator is at hand: who may ask for what, and every
// way a forged, unknown or replayed answer is refused. Real registrations and sign-ins, with
// Chromium's virtual authenticator, are in tests/e2e/passkeys.test.ts.
import { describe, expect, inject, it } from 'vitest'
import { ERRORS, PASSKEY_AUTHENTICATE_PATH, PASSKEY_REGISTER_PATH } from '../../shared/contract/index.ts'
import { expectApiError, signUp, uniqueEmail } from '../support/api-client.ts'

const appUrl = inject('appUrl')

function post(path: string, body: unknown, cookie?: string) {
  return fetch(`${appUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  })
}

/** An assertion as a browser would send it, for a credential this server never saw. */
function forgedAssertion(id = 'AAAAAAAAAAAAAAAAAAAAAA') {
  return {
    id,
    rawId: id,
    type: 'public-key',
    clientExtensionResults: {},
    response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA', userHandle: 'AAAA' },
  }
}

async function signInOptions(): Promise<{ attemptId: string, requestOptions: { challenge: string, rpId: string, userVerification: string } }> {
  const res = await post(PASSKEY_AUTHENTICATE_PATH, { verify: false })
  expect(res.status).toBe(200)
  return res.json() as never
}

describe('registering a passkey', () => {
  it('answers 401 without a session, and stores no challenge for it', async () => {
    await expectApiError(await post(PASSKEY_REGISTER_PATH, { user: { userName: 'x@example.test' }, verify: false }), 401, ERRORS.unauthorized)
  })

  it('offers options for the signed-in user (discoverable, verified) whatever name the browser sends', async () => {
    const user = await signUp(appUrl, uniqueEmail('passkey-options'))
    const res = await post(PASSKEY_REGISTER_PATH, { user: { userName: 'someone-else@example.test', passkeyName: 'Laptop' }, verify: false }, user.cookie)
    expect(res.status).toBe(200)
    const { creationOptions, attemptId } = await res.json() as { attemptId: string, creationOptions: { rp: { id: string, name: string }, user: { name: string }, challenge: string, authenticatorSelection: Record<string, unknown> } }
    expect(attemptId).toMatch(/^[\w-]{43}$/)
    expect(creationOptions.user.name).toBe(user.email)
    expect(creationOptions.rp).toEqual({ id: '127.0.0.1', name: 'Neptun chat' })
    expect(creationOptions.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' })
  })

  it('refuses an answer to another user\'s challenge, and takes the challenge out either way', async () => {
    const [alice, mallory] = await Promise.all([signUp(appUrl, uniqueEmail('passkey-alice')), signUp(appUrl, uniqueEmail('passkey-mallory'))])
    const options = await (await post(PASSKEY_REGISTER_PATH, { user: { userName: alice.email }, verify: false }, alice.cookie)).json() as { attemptId: string }
    const answer = { user: { userName: mallory.email }, verify: true, attemptId: options.attemptId, response: forgedAssertion() }
    await expectApiError(await post(PASSKEY_REGISTER_PATH, answer, mallory.cookie), 400, ERRORS.passkeyChallengeInvalid)
    await expectApiError(await post(PASSKEY_REGISTER_PATH, { ...answer, user: { userName: alice.email } }, alice.cookie), 400, ERRORS.passkeyChallengeInvalid)
    const list = await alice.fetch('/api/auth/passkeys')
    expect(await list.json()).toEqual([])
  })

  it('answers 400 to a body that is not the protocol\'s, and to a name that is too long', async () => {
    const user = await signUp(appUrl, uniqueEmail('passkey-bad'))
    await expectApiError(await post(PASSKEY_REGISTER_PATH, { verify: false }, user.cookie), 400, /.+/)
    await expectApiError(await post(PASSKEY_REGISTER_PATH, { user: { userName: user.email }, verify: true }, user.cookie), 400, ERRORS.passkeyRequestInvalid)
    await expectApiError(await post(PASSKEY_REGISTER_PATH, { user: { userName: user.email, passkeyName: 'x'.repeat(101) }, verify: false }, user.cookie), 400, ERRORS.passkeyNameInvalid)
  })
})

describe('signing in with a passkey', () => {
  it('asks for user verification and lets the authenticator offer its discoverable passkeys', async () => {
    const { requestOptions, attemptId } = await signInOptions()
    expect(attemptId).toMatch(/^[\w-]{43}$/)
    expect(requestOptions).toMatchObject({ rpId: '127.0.0.1', userVerification: 'required' })
    expect(requestOptions.challenge).toMatch(/^[\w-]{43}$/)
  })

  it('answers 401 for a credential the server does not know, and sets no cookie', async () => {
    const { attemptId } = await signInOptions()
    const res = await post(PASSKEY_AUTHENTICATE_PATH, { verify: true, attemptId, response: forgedAssertion() })
    expect(res.headers.getSetCookie().some(cookie => cookie.startsWith('neptun-session='))).toBe(false)
    await expectApiError(res, 401, ERRORS.passkeyNotRecognised)
  })

  it('refuses a challenge a second time (a replayed answer), and one it never gave', async () => {
    const { attemptId } = await signInOptions()
    await expectApiError(await post(PASSKEY_AUTHENTICATE_PATH, { verify: true, attemptId, response: forgedAssertion() }), 401, ERRORS.passkeyNotRecognised)
    await expectApiError(await post(PASSKEY_AUTHENTICATE_PATH, { verify: true, attemptId, response: forgedAssertion() }), 400, ERRORS.passkeyChallengeInvalid)
    await expectApiError(await post(PASSKEY_AUTHENTICATE_PATH, { verify: true, attemptId: 'never-given', response: forgedAssertion() }), 400, ERRORS.passkeyChallengeInvalid)
  })

  it('answers 400 to an answer without its attempt', async () => {
    await expectApiError(await post(PASSKEY_AUTHENTICATE_PATH, { verify: true, response: forgedAssertion() }), 400, ERRORS.passkeyRequestInvalid)
  })
})

describe('the passkey list', () => {
  it('is empty for a new user, 401 without a session, and another user\'s or a missing passkey is a 404', async () => {
    const user = await signUp(appUrl, uniqueEmail('passkey-list'))
    const list = await user.fetch('/api/auth/passkeys')
    expect(list.status).toBe(200)
    expect(await list.json()).toEqual([])
    await expectApiError(await fetch(`${appUrl}/api/auth/passkeys`), 401, ERRORS.unauthorized)
    await expectApiError(await user.fetch('/api/auth/passkeys/2147483000', { method: 'DELETE' }), 404, ERRORS.passkeyNotFound)
    await expectApiError(await user.fetch('/api/auth/passkeys/abc', { method: 'DELETE' }), 404, ERRORS.passkeyNotFound)
  })
})
