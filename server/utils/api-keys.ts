import { createHash, randomBytes } from 'node:crypto'
import { and, count, desc, eq } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { API_KEY_PREFIX, ERRORS, type ApiKeySummary, type CreatedApiKey } from '#shared/contract'

const { apiKeys } = tables

/** Characters of a key kept in clear to tell keys apart: the prefix and 8 of its 256 random bits' characters. */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8
/** last_used_at is written at most this often per key, not on every request. */
const LAST_USED_PRECISION_MS = 60_000

/**
 * The API key of a request's `Authorization: Bearer` header; undefined when the request has no
 * Authorization header (it may have a session). Anything else there is a 401: a program that
 * sends a credential is never quietly treated as someone else.
 *
 * @example const key = bearerApiKey(event) // 'nk_…' | undefined
 */
export function bearerApiKey(event: H3Event): string | undefined {
  const header = getRequestHeader(event, 'authorization')
  if (header === undefined) return undefined
  const key = apiKeyOfAuthorization(header)
  if (key === undefined) throw apiError(401, ERRORS.unauthorized)
  return key
}

/** The stored form of a key: the key has 256 random bits, so a plain SHA-256 cannot be reversed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** Notes that key `id` was used, at most once a minute (the list shows it to the minute). */
export async function touchApiKey(id: number, lastUsedAt: string | Date | null): Promise<void> {
  if (lastUsedAt && Date.now() - new Date(lastUsedAt).getTime() < LAST_USED_PRECISION_MS) return
  const db = await useDb()
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id))
}

const summaryColumns = { id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt }

function toSummary(row: { id: number, name: string, prefix: string, createdAt: Date, lastUsedAt: Date | null }): ApiKeySummary {
  return { ...row, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null }
}

/**
 * A new key for `userId`, answered once: only its hash and its first characters are stored.
 * 403 at MAX_API_KEYS_PER_USER keys, even for requests sent at once.
 *
 * @example const { key } = await createApiKey(user.id, 'laptop')
 */
export async function createApiKey(userId: number, name: string): Promise<CreatedApiKey> {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url')
  const { apiKeysPerUser } = serverConfig().limits
  const db = await useDb()
  const row = await db.transaction(async (tx) => {
    // The user's row is locked so two requests at once cannot both pass the count.
    await tx.select({ id: tables.users.id }).from(tables.users).where(eq(tables.users.id, userId)).for('update')
    const [held] = await tx.select({ count: count() }).from(apiKeys).where(eq(apiKeys.userId, userId))
    if (apiKeysPerUser > 0 && (held?.count ?? 0) >= apiKeysPerUser) throw apiError(403, ERRORS.tooManyApiKeys)
    const [created] = await tx.insert(apiKeys).values({ userId, name, prefix: key.slice(0, SHOWN_CHARS), hash: hashApiKey(key) }).returning(summaryColumns)
    return created!
  })
  return { ...toSummary(row), key }
}

/** The user's keys, newest first. */
export async function listApiKeys(userId: number): Promise<ApiKeySummary[]> {
  const db = await useDb()
  const rows = await db.select(summaryColumns).from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.id))
  return rows.map(toSummary)
}

/** Revokes one of the user's keys; another user's key is a 404, like a missing one. */
export async function revokeApiKey(userId: number, id: number): Promise<void> {
  const db = await useDb()
  const deleted = await db.delete(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId))).returning({ id: apiKeys.id })
  if (!deleted.length) throw apiError(404, ERRORS.apiKeyNotFound)
}
