import { and, eq, sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import type { WebAuthnCredential } from '#auth-utils'
import { ERRORS, SIGN_IN_LIMITS, type PasskeySummary } from '#shared/contract'

type AuthenticatorTransportFuture = NonNullable<WebAuthnCredential['transports']>[number]

/** The name of the relying party shown by the browser's passkey dialog. */
export const RELYING_PARTY_NAME = 'Neptun chat'

/** The body h3's readBody hands to nuxt-auth-utils' WebAuthn handlers, once ours has checked it. */
export function provideCheckedBody(event: H3Event, body: unknown): void {
  (event.node.req as unknown as Record<symbol, unknown>)[Symbol.for('h3ParsedBody')] = body
}

/**
 * Keeps a WebAuthn challenge until its answer comes, on any instance. Expired challenges are
 * swept on the way, so the table holds only live attempts.
 *
 * @example await storePasskeyChallenge(challenge, attemptId, user.id)
 */
export async function storePasskeyChallenge(challenge: string, attemptId: string, userId: number | null): Promise<void> {
  const db = await useDb()
  await db.delete(tables.webauthnChallenges).where(sql`${tables.webauthnChallenges.expiresAt} < now()`)
  await db.insert(tables.webauthnChallenges).values({
    attemptId, challenge, userId, expiresAt: sql`now() + make_interval(secs => ${SIGN_IN_LIMITS.challengeSeconds})`,
  })
}

/**
 * Takes a challenge out (deleting it: one answer per challenge, so a replay finds nothing), or a
 * 400 when it is unknown, expired, used, or another user's.
 */
export async function takePasskeyChallenge(attemptId: string, userId: number | null): Promise<string> {
  const db = await useDb()
  const [row] = await db.delete(tables.webauthnChallenges)
    .where(eq(tables.webauthnChallenges.attemptId, attemptId))
    .returning()
  const owner = row?.userId ?? null
  if (!row || row.expiresAt.getTime() < Date.now() || owner !== userId) throw apiError(400, ERRORS.passkeyChallengeInvalid)
  return row.challenge
}

/** A stored passkey as nuxt-auth-utils verifies it, with its owner. */
export interface StoredPasskey {
  [key: string]: unknown
  id: string
  publicKey: string
  counter: number
  backedUp: boolean
  transports?: AuthenticatorTransportFuture[]
  rowId: number
  userId: number
}

/** The passkey with this credential id, or a 401 (the same for any passkey this server does not know). */
export async function passkeyByCredentialId(credentialId: string): Promise<StoredPasskey> {
  const db = await useDb()
  const [row] = await db.select().from(tables.passkeys).where(eq(tables.passkeys.credentialId, credentialId))
  if (!row) throw apiError(401, ERRORS.passkeyNotRecognised)
  return {
    id: row.credentialId,
    publicKey: row.publicKey,
    counter: row.counter,
    backedUp: row.backedUp,
    transports: row.transports as AuthenticatorTransportFuture[],
    rowId: row.id,
    userId: row.userId,
  }
}

/** The user's passkeys' credential ids, so the browser does not register one authenticator twice. */
export async function passkeyCredentialsOf(userId: number): Promise<{ id: string, transports: AuthenticatorTransportFuture[] }[]> {
  const db = await useDb()
  const rows = await db.select({ id: tables.passkeys.credentialId, transports: tables.passkeys.transports })
    .from(tables.passkeys).where(eq(tables.passkeys.userId, userId))
  return rows.map(row => ({ id: row.id, transports: row.transports as AuthenticatorTransportFuture[] }))
}

/** Stores a new passkey for the user; 403 past the number one user may keep. */
export async function storePasskey(userId: number, name: string, credential: { id: string, publicKey: string, counter: number, backedUp: boolean, transports?: string[] }): Promise<void> {
  const db = await useDb()
  // Counted in the statement that inserts, so passkeys added at once cannot pass the limit together.
  const [inserted] = await queryRows<{ id: number }>(db, sql`
    insert into passkeys (user_id, credential_id, public_key, counter, transports, backed_up, name)
    select ${userId}, ${credential.id}, ${credential.publicKey}, ${credential.counter}, ${JSON.stringify(credential.transports ?? [])}::jsonb, ${credential.backedUp}, ${name}
    where (select count(*) from passkeys where user_id = ${userId}) < ${SIGN_IN_LIMITS.maxPasskeysPerUser}
    on conflict do nothing returning id`)
  if (!inserted) throw apiError(403, ERRORS.tooManyPasskeys)
}

/** Records a sign-in with a passkey: its new signature count and when it was used. */
export async function touchPasskey(rowId: number, counter: number): Promise<void> {
  const db = await useDb()
  await db.update(tables.passkeys).set({ counter, lastUsedAt: sql`now()` }).where(eq(tables.passkeys.id, rowId))
}

/** The user's passkeys, oldest first. */
export async function listPasskeys(userId: number): Promise<PasskeySummary[]> {
  const db = await useDb()
  const rows = await db.select().from(tables.passkeys).where(eq(tables.passkeys.userId, userId)).orderBy(tables.passkeys.id)
  return rows.map(row => ({ id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null }))
}

/** Removes one of the user's passkeys; another user's, or none, is a 404. */
export async function deletePasskey(userId: number, id: number): Promise<void> {
  const db = await useDb()
  const deleted = await db.delete(tables.passkeys)
    .where(and(eq(tables.passkeys.id, id), eq(tables.passkeys.userId, userId)))
    .returning({ id: tables.passkeys.id })
  if (!deleted.length) throw apiError(404, ERRORS.passkeyNotFound)
}
