import { ERRORS } from '#shared/contract'

/** CHAT_RATE_LIMIT_PER_MINUTE chat requests per user per minute (0 turns it off); 429 + Retry-After past it. */
export async function assertChatRateLimit(userId: number): Promise<void> {
  await assertRateLimits([{ key: `chat:${userId}`, limit: serverConfig().limits.chatPerMinute, windowSeconds: 60 }], ERRORS.chatRateLimited)
}
