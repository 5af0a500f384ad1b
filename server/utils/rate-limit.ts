import { sql } from 'drizzle-orm'

export interface RateLimitResult {
  allowed: boolean
  /** Seconds until the current window ends. */
  retryAfter: number
}

/**
 * Counts one hit for `key` in a fixed window of `windowSeconds` and says whether it stays within
 * `limit`. Kept in the database so the limit holds across instances; one statement, one row per key.
 *
 * @example const { allowed, retryAfter } = await hitRateLimit(`chat:${user.id}`, 30, 60)
 */
export async function hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
  const [row] = await queryRows<WindowRow>(await useDb(), sql`
    insert into rate_limits (key, window_start, count)
    values (${key}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
    on conflict (key) do update set
      count = case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end,
      window_start = excluded.window_start
    returning count, window_start`)
  return { allowed: Number(row!.count) <= limit, retryAfter: secondsLeft(row!, windowSeconds) }
}

/** Reads a counter without counting (log-in throttling checks before it knows the outcome). */
export async function peekRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
  const [row] = await queryRows<WindowRow>(await useDb(), sql`
    select count, window_start from rate_limits
    where key = ${key} and window_start = to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds})`)
  if (!row) return { allowed: true, retryAfter: 0 }
  return { allowed: Number(row.count) < limit, retryAfter: secondsLeft(row, windowSeconds) }
}

interface WindowRow {
  count: number
  window_start: string | Date
}

function secondsLeft(row: WindowRow, windowSeconds: number): number {
  const windowEnd = new Date(row.window_start).getTime() + windowSeconds * 1000
  return Math.max(1, Math.ceil((windowEnd - Date.now()) / 1000))
}
