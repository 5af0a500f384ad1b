import { ERRORS } from '#shared/contract'
import type { H3Event } from 'h3'

/** Failed log-ins allowed per window, per email and per client IP. */
const PER_EMAIL = 10
const PER_IP = 50
const WINDOW_SECONDS = 15 * 60

function keys(event: H3Event, email: string) {
  const ip = getRequestIP(event, { xForwardedFor: serverConfig().trustProxy }) ?? 'unknown'
  return [[`login:email:${email}`, PER_EMAIL], [`login:ip:${ip}`, PER_IP]] as const
}

/** 429 with Retry-After once an email or an IP has failed too often in the window. */
export async function assertLoginAllowed(event: H3Event, email: string): Promise<void> {
  for (const [key, limit] of keys(event, email)) {
    const { allowed, retryAfter } = await peekRateLimit(key, limit, WINDOW_SECONDS)
    if (!allowed) throw apiError(429, ERRORS.loginThrottled, { 'retry-after': String(retryAfter) })
  }
}

export async function recordLoginFailure(event: H3Event, email: string): Promise<void> {
  for (const [key, limit] of keys(event, email)) await hitRateLimit(key, limit, WINDOW_SECONDS)
}
