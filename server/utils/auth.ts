import { eq, sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { ERRORS, type PublicUser } from '#shared/contract'

const { users } = tables

/**
 * The signed-in user, or a 401. A session whose user was deleted, or whose version was revoked
 * (password change, "log out everywhere"), is cleared and refused.
 *
 * @example const user = await requireUser(event)
 */
export async function requireUser(event: H3Event): Promise<PublicUser> {
  return (await requireUserOwning(event, undefined)).user
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
}

/**
 * requireUser, and in the same statement whether chat `chatId` is the user's and, on request,
 * what they spent today: a chat turn reads the database once before it streams. The caller
 * throws the 404 (and the 429) in the contract's order.
 *
 * @example const { user, ownsChat } = await requireUserOwning(event, 42)
 */
export async function requireUserOwning(event: H3Event, chatId: number | undefined, options: { neuronsToday?: boolean } = {}): Promise<SignedIn> {
  const { sealed, reused } = reuseUnsealedSession(event)
  const session = await getUserSession(event)
  const user = session.user
  if (!user || typeof user.id !== 'number') throw apiError(401, ERRORS.unauthorized)
  if (sealed && !reused) rememberUnsealedSession(event, sealed)
  const db = await useDb()
  const [row] = await db.select({
    version: users.sessionVersion,
    email: users.email,
    ownsChat: chatId === undefined
      ? sql<boolean>`false`
      // Spelled out: drizzle drops table names inside sql``, and "id" would mean chats.id here.
      : sql<boolean>`exists (select 1 from chats where chats.id = ${chatId} and chats.user_id = users.id)`,
    lastModel: users.lastModel,
    neuronsToday: options.neuronsToday ? neuronsTodayColumn : sql<number>`0`,
  }).from(users).where(eq(users.id, user.id))
  // The email guards against a cookie sealed with the same password for another database
  // (a reset, a second deployment), where the same id and version belong to someone else.
  if (!row || row.version !== session.version || row.email.toLowerCase() !== user.email.toLowerCase()) {
    if (sealed) unsealedSessions.delete(sealed)
    await clearUserSession(event)
    throw apiError(401, ERRORS.unauthorized)
  }
  return { user: { id: user.id, email: user.email }, ownsChat: row.ownsChat === true, lastModel: row.lastModel, neuronsToday: Number(row.neuronsToday) }
}

/** Issues the neptun-session cookie for `user` at its current session version. */
export async function startSession(event: H3Event, user: PublicUser & { sessionVersion: number }): Promise<void> {
  await replaceUserSession(event, { user: { id: user.id, email: user.email }, version: user.sessionVersion })
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
