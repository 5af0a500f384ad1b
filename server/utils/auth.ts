import { eq, sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { ERRORS, isLocaleCode, TEAM_ERRORS, type PublicUser } from '#shared/contract'
import type { Database } from './db'

/**
 * The signed-in user, or a 401. A session whose user was deleted, whose version was revoked
 * (password change, "log out everywhere") or that was logged out is cleared and refused. Counts
 * the request against API_RATE_LIMIT_PER_MINUTE in the same statement (429 past it).
 *
 * @example const user = await requireUser(event)
 */
export async function requireUser(event: H3Event): Promise<PublicUser> {
  return (await requireUserOwning(event, undefined, { countApiCall: true })).user
}

/** What the session check reads of the user's row, whether by cookie or by API key. */
interface AccountColumns {
  is_admin: boolean
  disabled: boolean
  daily_neuron_limit: number | string | null
  allowed_models: string[] | null
}

/** The users row's columns both session checks read, in their one statement. */
const accountColumns = sql`users.is_admin, users.disabled, users.daily_neuron_limit, users.allowed_models`

interface SessionRow extends AccountColumns {
  version: number
  email: string
  last_model: string | null
  owns_chat: boolean
  revoked: boolean
  neurons_today: number | string
  /** This window's hits on the limit the request counted against (countedLimit), if it counted. */
  hits?: number | null
  window_end?: string | Date | null
}

/** The signed-in user and what the statement that checked their session also read. */
export interface SignedIn {
  user: PublicUser
  /** Whether chat `chatId` is the user's (false without one). */
  ownsChat: boolean
  /** The model of the user's last turn or pick. */
  lastModel: string | null
  /** Neurons spent today (UTC), when asked for (the daily cap). */
  neuronsToday: number
  /** The session's id (log-out revokes it); undefined for a request made with an API key. */
  sessionId: string | undefined
  /** When this session signed in (ms since the epoch); undefined for an API key or an older cookie. */
  signedInAt: number | undefined
  /** An admin: flagged in the database or listed in ADMIN_EMAILS (read now, so the list applies at once). */
  admin: boolean
  /** The models the user may use; null: all. */
  allowedModels: string[] | null
  /** The user's daily Neuron cap: their own, else CHAT_DAILY_NEURON_LIMIT (0: none). */
  dailyNeuronLimit: number
  /** With `countChatTurn`: seconds until the user may start another turn (0: now); assertChatRateLimit reads it. */
  chatTurnRetryAfter: number
}

/**
 * requireUser, and in the same statement whether chat `chatId` is the user's and, on request,
 * what they spent today: a chat turn reads the database once before it streams (it has its own
 * rate limit, so it counts no API call). The caller throws the 404 (and the 429) in the
 * contract's order. A request with an `Authorization: Bearer` API key is its holder's, under the
 * same limits, and its session cookie is not looked at.
 *
 * @example const { user, ownsChat } = await requireUserOwning(event, 42)
 */
export async function requireUserOwning(event: H3Event, chatId: number | undefined, options: SignedInOptions = {}): Promise<SignedIn> {
  const key = bearerApiKey(event)
  if (key !== undefined) return apiKeyHolderOwning(key, chatId, options)
  const { sealed, reused } = reuseUnsealedSession(event)
  const session = await getUserSession(event)
  const user = session.user
  if (!user || typeof user.id !== 'number') throw apiError(401, ERRORS.unauthorized)
  if (sealed && !reused) rememberUnsealedSession(event, sealed)
  const limit = countedLimit(options)
  const db = await useDb()
  // The session's own conditions, so only a session that holds counts a hit against its user.
  const hit = limit && countHitWhereSql(sql`${`${limit.name}:${user.id}`}::text`, 60, sql`
    from users where users.id = ${user.id} and users.session_version = ${typeof session.version === 'number' ? session.version : null}::integer
      and not users.disabled and lower(users.email) = lower(${user.email})
      and not exists (select 1 from revoked_sessions where revoked_sessions.id = ${session.id})`)
  const [row] = await queryRows<SessionRow>(db, sql`
    ${hit ? sql`with hit as (${hit})` : sql``}
    select users.session_version as version, users.email, users.last_model, ${accountColumns},
      ${chatId === undefined ? sql`false` : sql`exists (select 1 from chats where chats.id = ${chatId} and chats.user_id = users.id)`} as owns_chat,
      exists (select 1 from revoked_sessions where revoked_sessions.id = ${session.id}) as revoked,
      ${options.neuronsToday ? neuronsTodayIfCapped() : sql`0`} as neurons_today
      ${hit ? sql`, (select count from hit) as hits, (select expires_at from hit) as window_end` : sql``}
    from users where users.id = ${user.id}`)
  // The email guards against a cookie sealed with the same password for another database
  // (a reset, a second deployment), where the same id and version belong to someone else.
  const sameUser = row !== undefined && row.email.toLowerCase() === user.email.toLowerCase()
  if (!sameUser || row.disabled || row.version !== session.version || row.revoked) {
    if (sealed) unsealedSessions.delete(sealed)
    await clearUserSession(event)
    // Disabling also moves the session version on: the user is told why, not just "signed out".
    throw sameUser && row.disabled ? apiError(403, TEAM_ERRORS.accountDisabled) : apiError(401, ERRORS.unauthorized)
  }
  const signedInAt = typeof session.signedInAt === 'number' ? session.signedInAt : undefined
  return { user: { id: user.id, email: user.email }, ownsChat: row.owns_chat === true, lastModel: row.last_model, neuronsToday: Number(row.neurons_today), sessionId: session.id, signedInAt, ...account(user.email, row), chatTurnRetryAfter: overLimit(db, limit, row) }
}

/**
 * The per-minute limit the session statement counts the request against: a chat turn's
 * (CHAT_RATE_LIMIT_PER_MINUTE) or an API call's (API_RATE_LIMIT_PER_MINUTE); none when it is off.
 * Counted there, a turn reads the database once before it asks Workers AI.
 */
function countedLimit(options: SignedInOptions): { name: 'chat' | 'api', limit: number } | undefined {
  const { chatPerMinute, apiPerMinute } = serverConfig().limits
  if (options.countChatTurn) return chatPerMinute > 0 ? { name: 'chat', limit: chatPerMinute } : undefined
  if (options.countApiCall && apiPerMinute > 0) return { name: 'api', limit: apiPerMinute }
}

/**
 * Seconds until the window of a counted chat turn that went over its limit ends (0: within it).
 * An API call over its limit is refused here, a 429: it has no other checks to come first.
 */
function overLimit(db: Database, limit: ReturnType<typeof countedLimit>, row: Pick<SessionRow, 'hits' | 'window_end'>): number {
  if (!limit) return 0
  pruneExpiredRows(db)
  if (!(Number(row.hits) > limit.limit)) return 0
  const retryAfter = secondsUntil(row.window_end!)
  if (limit.name === 'api') throw apiError(429, ERRORS.apiRateLimited, { 'retry-after': String(retryAfter) })
  return retryAfter
}

/** The account's standing as the session check read it: admin, allowed models, daily cap. */
function account(email: string, row: AccountColumns): Pick<SignedIn, 'admin' | 'allowedModels' | 'dailyNeuronLimit'> {
  return {
    admin: row.is_admin || isAdminEmail(email),
    allowedModels: row.allowed_models,
    dailyNeuronLimit: row.daily_neuron_limit === null ? serverConfig().dailyNeuronLimit : Number(row.daily_neuron_limit),
  }
}

/** Whether ADMIN_EMAILS lists this address (case-insensitive). */
export function isAdminEmail(email: string): boolean {
  return serverConfig().adminEmails.has(email.toLowerCase())
}

/**
 * The Neurons spent today, read only when a cap applies to this user (their own, or the global
 * one): the sum is skipped for everyone else.
 */
function neuronsTodayIfCapped() {
  return sql`case when coalesce(users.daily_neuron_limit, ${serverConfig().dailyNeuronLimit}::float8) > 0 then ${neuronsTodayColumn} else 0 end`
}

/**
 * Log-out: this session stops working on every instance, even where a copy of its cookie is
 * kept; the user's other sessions go on. The revocation is kept until the cookie would have
 * expired anyway. A request made with an API key has no session to end (keys are revoked on
 * the settings page).
 */
export async function endSession(event: H3Event): Promise<void> {
  const { sessionId } = await requireUserOwning(event, undefined, { countApiCall: true })
  if (sessionId !== undefined) {
    const { maxAgeMs } = sessionCookie()
    const db = await useDb()
    await db.insert(tables.revokedSessions)
      .values({ id: sessionId, expiresAt: sql`now() + make_interval(secs => ${Math.ceil((maxAgeMs || 365 * 24 * 3600 * 1000) / 1000)})` })
      .onConflictDoNothing()
  }
  await clearUserSession(event)
}

interface SignedInOptions {
  /** Read what the user spent today when a daily cap applies to them (the chat routes). */
  neuronsToday?: boolean
  /** Count the request against API_RATE_LIMIT_PER_MINUTE (429 past it). */
  countApiCall?: boolean
  /** Count the request as a chat turn against CHAT_RATE_LIMIT_PER_MINUTE instead (chatTurnRetryAfter says whether it is over). */
  countChatTurn?: boolean
}

interface KeyHolderRow extends AccountColumns {
  id: number
  email: string
  last_model: string | null
  owns_chat: boolean
  neurons_today: number | string
  key_id: number
  last_used_at: string | Date | null
  hits?: number | null
  window_end?: string | Date | null
}

/**
 * requireUserOwning for an API key: its holder, or a 401 for a revoked or unknown key. Its API
 * calls count in the same per-user window as the holder's sessions: a key adds no budget.
 */
async function apiKeyHolderOwning(key: string, chatId: number | undefined, options: SignedInOptions): Promise<SignedIn> {
  const db = await useDb()
  const limit = countedLimit(options)
  const hash = hashApiKey(key)
  const hit = limit && countHitWhereSql(sql`${`${limit.name}:`} || users.id`, 60, sql`
    from api_keys join users on users.id = api_keys.user_id where api_keys.hash = ${hash} and not users.disabled`)
  const [row] = await queryRows<KeyHolderRow>(db, sql`
    ${hit ? sql`with hit as (${hit})` : sql``}
    select users.id, users.email, users.last_model, api_keys.id as key_id, api_keys.last_used_at, ${accountColumns},
      ${chatId === undefined ? sql`false` : sql`exists (select 1 from chats where chats.id = ${chatId} and chats.user_id = users.id)`} as owns_chat,
      ${options.neuronsToday ? neuronsTodayIfCapped() : sql`0`} as neurons_today
      ${hit ? sql`, (select count from hit) as hits, (select expires_at from hit) as window_end` : sql``}
    from api_keys join users on users.id = api_keys.user_id where api_keys.hash = ${hash}`)
  if (!row) throw apiError(401, ERRORS.unauthorized)
  if (row.disabled) throw apiError(403, TEAM_ERRORS.accountDisabled)
  const chatTurnRetryAfter = overLimit(db, limit, row)
  await touchApiKey(row.key_id, row.last_used_at)
  return { user: { id: row.id, email: row.email }, ownsChat: row.owns_chat === true, lastModel: row.last_model, neuronsToday: Number(row.neurons_today), sessionId: undefined, signedInAt: undefined, ...account(row.email, row), chatTurnRetryAfter }
}

/**
 * requireUserOwning for the routes programs use with API keys only (the OpenAI-compatible API),
 * where a session cookie is not enough: 401 without a key.
 *
 * @example const { user, ownsChat } = await requireApiKeyHolder(event, chatId)
 */
export async function requireApiKeyHolder(event: H3Event, chatId?: number, options: SignedInOptions = {}): Promise<SignedIn> {
  const key = bearerApiKey(event)
  if (key === undefined) throw apiError(401, ERRORS.apiKeyRequired)
  return apiKeyHolderOwning(key, chatId, options)
}

/**
 * Issues the neptun-session cookie for user `userId`: every way of signing in ends here
 * (password, passkey, single sign-on, sign-up), so the checks that hold for all of them live here
 * too, in one statement. A disabled account gets 403 (401 for one that is gone); the sign-in is
 * recorded (the admin page's "last active") and its time goes into the session, so deleting an
 * account can ask for a fresh one; the language the user chose follows them to this browser.
 *
 * @example await startSession(event, user.id)
 */
export async function startSession(event: H3Event, userId: number): Promise<void> {
  const db = await useDb()
  const [row] = await db.update(tables.users).set({ lastActiveAt: sql`now()` }).where(eq(tables.users.id, userId))
    .returning({ disabled: tables.users.disabled, sessionVersion: tables.users.sessionVersion, email: tables.users.email, locale: tables.users.locale })
  if (!row) throw apiError(401, ERRORS.unauthorized)
  if (row.disabled) throw apiError(403, TEAM_ERRORS.accountDisabled)
  await replaceUserSession(event, { user: { id: userId, email: row.email }, version: row.sessionVersion, signedInAt: Date.now() })
  if (isLocaleCode(row.locale)) sendLocaleCookie(event, row.locale)
}

const MAX_REMEMBERED = 10_000

interface UnsealedSession {
  id: string
  createdAt: number
  data: Record<string, unknown>
}

/**
 * Sessions already unsealed, by cookie. Unsealing costs about half a millisecond of WebCrypto on
 * the path of every chat turn, and a seal is authenticated: the same cookie always unseals to the
 * same session, so it is done once per cookie. Expiry is still checked on every use; revocation
 * was never in the cookie (it is the session version, read from the database every time).
 */
const unsealedSessions = new Map<string, UnsealedSession>()

/**
 * Hands h3 the remembered session for this request's cookie, if there is one: h3 looks in
 * event.context.sessions (its per-request cache) before it unseals. That cache has no public
 * API; tests/unit/internals.test.ts fails if h3 stops using it this way.
 */
function reuseUnsealedSession(event: H3Event): { sealed?: string, reused: boolean } {
  const context = event.context as { sessions?: Record<string, UnsealedSession> }
  const { name, maxAgeMs } = sessionCookie()
  // Already read in this request, or sent in h3's session header instead of the cookie.
  if (context.sessions?.[name] || getRequestHeader(event, `x-${name}-session`)) return { reused: false }
  const sealed = getCookie(event, name)
  const known = sealed ? unsealedSessions.get(sealed) : undefined
  if (!sealed || !known) return { sealed, reused: false }
  if (maxAgeMs && Date.now() - known.createdAt > maxAgeMs) {
    unsealedSessions.delete(sealed)
    return { sealed, reused: false }
  }
  // A copy h3 may update (a log-in replaces the session); the user object inside is never edited in place.
  context.sessions = { ...context.sessions, [name]: { ...known, data: { ...known.data } } }
  return { sealed, reused: true }
}

/** The session cookie's name and lifetime as nuxt-auth-utils uses them (runtimeConfig.session). */
function sessionCookie(): { name: string, maxAgeMs: number } {
  const { name = 'nuxt-session', maxAge = 0 } = useRuntimeConfig().session
  return { name, maxAgeMs: Number(maxAge) * 1000 }
}

function rememberUnsealedSession(event: H3Event, sealed: string): void {
  const session = (event.context as { sessions?: Record<string, UnsealedSession> }).sessions?.[sessionCookie().name]
  if (!session?.createdAt || !session.data?.user) return
  // Oldest first out: a Map iterates in insertion order.
  if (unsealedSessions.size >= MAX_REMEMBERED) unsealedSessions.delete(unsealedSessions.keys().next().value!)
  unsealedSessions.set(sealed, { id: session.id, createdAt: session.createdAt, data: { ...session.data } })
}
