import type { H3Event } from 'h3'
import { DEFAULTS, ERRORS } from '#shared/contract'

const LOGIN_WINDOW_SECONDS = DEFAULTS.loginWindowMinutes * 60
const HOUR = 3600

/**
 * Counts a password check (log-in, password change) before it runs, per account and per client
 * address, and refuses with 429 past LOGIN_RATE_LIMIT_PER_ACCOUNT / _PER_IP. Counting first is
 * what makes the limit hold against many guesses sent at once. Returns the refund to call when
 * the password was right, so only failures use up the limit.
 *
 * @example const succeeded = await countPasswordAttempt(event, email, ERRORS.loginThrottled)
 */
export async function countPasswordAttempt(event: H3Event, account: string, message: string): Promise<() => Promise<void>> {
  const { loginFailuresPerAccount, loginFailuresPerIp } = serverConfig().limits
  const address = clientAddress(event)
  const limits: RateLimit[] = [{ key: `login:account:${account}`, limit: loginFailuresPerAccount, windowSeconds: LOGIN_WINDOW_SECONDS }]
  if (address) limits.push({ key: `login:ip:${address}`, limit: loginFailuresPerIp, windowSeconds: LOGIN_WINDOW_SECONDS })
  await assertRateLimits(limits, message)
  return () => refundRateLimits(limits)
}

/** Sign-ups per client address and for everyone together, per hour; 429 past either. Counted before the password is hashed. */
export async function countSignUp(event: H3Event): Promise<void> {
  const { signUpsPerIpPerHour, signUpsPerHour } = serverConfig().limits
  const address = clientAddress(event)
  const limits: RateLimit[] = [{ key: 'signup:all', limit: signUpsPerHour, windowSeconds: HOUR }]
  if (address) limits.push({ key: `signup:ip:${address}`, limit: signUpsPerIpPerHour, windowSeconds: HOUR })
  await assertRateLimits(limits, ERRORS.signUpThrottled)
}

let dummyHash: Promise<string> | undefined

/**
 * Checks `password` against `hash`, or against a hash of nothing when the account does not
 * exist: both take one scrypt, so the answer's timing does not tell which emails are registered.
 */
export async function verifyPasswordOf(hash: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashNewPassword(crypto.randomUUID())
  // An account made by single sign-on has no password: it takes the unknown account's path.
  const valid = await passwordMatches(hash ?? await dummyHash, password)
  return valid && hash != null
}
