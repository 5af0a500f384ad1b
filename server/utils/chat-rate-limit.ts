import { ERRORS } from '#shared/contract'
import type { SignedIn } from './auth'

/**
 * CHAT_RATE_LIMIT_PER_MINUTE chat turns per user per minute (0 turns it off); 429 + Retry-After
 * past it. The turn was counted by the session check (`countChatTurn`), so a turn reads the
 * database once before it asks Workers AI; the 429 comes here, after the checks the contract puts
 * first.
 */
export function assertChatRateLimit(signedIn: Pick<SignedIn, 'chatTurnRetryAfter'>): void {
  if (signedIn.chatTurnRetryAfter > 0) throw apiError(429, ERRORS.chatRateLimited, { 'retry-after': String(signedIn.chatTurnRetryAfter) })
}
