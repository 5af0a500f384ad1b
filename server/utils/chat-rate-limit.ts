import { ERRORS } from '#shared/contract'

/** CHAT_RATE_LIMIT_PER_MINUTE chat requests per user per minute (0 turns it off); 429 + Retry-After past it. */
export async function assertChatRateLimit(userId: number): Promise<void> {
  const limit = serverConfig().chatRateLimitPerMinute
  if (!(limit > 0)) return
  const { allowed, retryAfter } = await hitRateLimit(`chat:${userId}`, limit, 60)
  if (!allowed) throw apiError(429, ERRORS.chatRateLimited, { 'retry-after': String(retryAfter) })
}
