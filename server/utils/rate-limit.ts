import { sql, type SQL } from 'drizzle-orm'
import { useEvent } from 'nitropack/runtime'
import type { Database } from './db'
import { ON_WORKERS } from './runtime'

export interface RateLimit {
  key: string
  /** Hits allowed per window; 0 turns the limit off. */
  limit: number
  windowSeconds: number
}

export interface RateLimitResult {
  allowed: boolean
  /** Seconds until the window of the exceeded limit ends (0 when allowed). */
  retryAfter: number
}

/**
 * The statement that counts one hit in a fixed window of `windowSeconds` and returns `key`,
 * `count` and `expires_at`, for use as a CTE where the count rides along with another query. The
 * key is a text expression over `from` (a from clause with its where), and the hit is counted only
 * when `from` yields a row: the session check counts a request only for a session that holds, so
 * a revoked cookie spends nothing of its user's. The window comes from the database's clock, so
 * every instance agrees on it.
 */
export function countHitWhereSql(key: SQL, windowSeconds: number, from: SQL): SQL {
  return upsertHitsSql(sql`select ${key}, ${windowSeconds}::integer ${from}`)
}

function countHitsSql(limits: RateLimit[]): SQL {
  return upsertHitsSql(sql`values ${sql.join(limits.map(({ key, windowSeconds }) => sql`(${key}, ${windowSeconds}::integer)`), sql`, `)}`)
}

/** Counts a hit for each (key, seconds) row of `source`, in the window of that many seconds now falls in. */
function upsertHitsSql(source: SQL): SQL {
  return sql`
    insert into rate_limits (key, window_start, expires_at, count)
    select v.key, to_timestamp(floor(extract(epoch from now()) / v.seconds) * v.seconds), to_timestamp((floor(extract(epoch from now()) / v.seconds) + 1) * v.seconds), 1
    from (${source}) as v(key, seconds)
    on conflict (key) do update set
      count = case when rate_limits.window_start = excluded.window_start then rate_limits.count + 1 else 1 end,
      window_start = excluded.window_start,
      expires_at = excluded.expires_at
    returning key, count, expires_at`
}

/** Seconds until `expiresAt`, at least 1. */
export function secondsUntil(expiresAt: string | Date): number {
  return Math.max(1, Math.ceil((new Date(expiresAt).getTime() - Date.now()) / 1000))
}

/**
 * Counts one hit on each limit, in one statement, before the work it guards is done: concurrent
 * requests cannot all pass a check that none of them has counted yet. Allowed when every count
 * stays within its limit. Limits of 0 are left out.
 *
 * @example const { allowed, retryAfter } = await consumeRateLimits([{ key: `chat:${user.id}`, limit: 30, windowSeconds: 60 }])
 */
export async function consumeRateLimits(limits: RateLimit[], db?: Database): Promise<RateLimitResult> {
  // One row per key, in one order: two statements locking the same keys cannot deadlock. Keys
  // are made well-formed first: the database replaces a lone surrogate (from a client's email),
  // and the key it returns must be the one looked up here.
  const active = [...new Map(limits.filter(limit => limit.limit > 0).map(limit => [limit.key.toWellFormed(), { ...limit, key: limit.key.toWellFormed() }])).values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  if (!active.length) return { allowed: true, retryAfter: 0 }
  db ??= await useDb()
  const rows = await queryRows<{ key: string, count: number, expires_at: string | Date }>(db, countHitsSql(active))
  pruneExpiredRows(db)
  let retryAfter = 0
  for (const row of rows) {
    const limit = active.find(candidate => candidate.key === row.key)!
    if (Number(row.count) > limit.limit) retryAfter = Math.max(retryAfter, secondsUntil(row.expires_at))
  }
  return { allowed: retryAfter === 0, retryAfter }
}

/**
 * Gives back a hit counted in the current window (a log-in that turned out right), so only
 * failures use up the limit. A window that has turned over meanwhile is left alone.
 */
export async function refundRateLimits(limits: RateLimit[]): Promise<void> {
  const keys = limits.filter(limit => limit.limit > 0).map(limit => limit.key.toWellFormed())
  if (!keys.length) return
  await (await useDb()).execute(sql`
    update rate_limits set count = count - 1
    where key in (${sql.join(keys.map(key => sql`${key}`), sql`, `)}) and expires_at > now() and count > 0`)
}

/** consumeRateLimits, and a 429 with Retry-After and `message` when a limit is exceeded. */
export async function assertRateLimits(limits: RateLimit[], message: string): Promise<void> {
  const { allowed, retryAfter } = await consumeRateLimits(limits)
  if (!allowed) throw apiError(429, message, { 'retry-after': String(retryAfter) })
}

const PRUNE_EVERY_MS = 60_000
let lastPrune = 0

/**
 * Deletes rows whose time is up: rate-limit windows that ended, revocations of sessions that
 * have expired anyway, stop requests nobody picked up. At most once a minute per process (or
 * isolate), piggybacked on a request, so no timer has to outlive one.
 */
export function pruneExpiredRows(db: Database): void {
  const now = Date.now()
  if (now - lastPrune < PRUNE_EVERY_MS) return
  lastPrune = now
  const pruning = (async () => {
    await db.execute(sql`delete from rate_limits where expires_at < now()`)
    await db.execute(sql`delete from revoked_sessions where expires_at < now()`)
    await db.execute(sql`delete from generation_stops where created_at < now() - make_interval(secs => ${STOP_REQUEST_TTL_SECONDS})`)
  })().catch(() => {
    lastPrune = 0
  })
  if (ON_WORKERS) useEvent().waitUntil(pruning)
}

/**
 * How long a stop request waits in generation_stops for the isolate streaming its answer (which
 * looks every half second); after that the answer has ended or never existed.
 */
export const STOP_REQUEST_TTL_SECONDS = 60
