import { randomBytes } from 'node:crypto'
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { H3Event } from 'h3'
import { TEAM_ERRORS, TEAM_LIMITS, type AdminInvite } from '#shared/contract'
import type { Database } from '../db/connect.ts'

const { invites, users } = tables

/** The sign-up page's link for an invite token. */
export function inviteUrl(event: H3Event, token: string): string {
  return new URL(`/signup?invite=${token}`, getRequestURL(event).origin).toString()
}

/**
 * A new single-use invite, valid for `hours`: its token (256 random bits) is in the answer's
 * `url` and nowhere else; the database keeps its SHA-256.
 *
 * @example const { url } = await createInvite(event, admin.id, 48)
 */
export async function createInvite(event: H3Event, createdBy: number, hours: number = TEAM_LIMITS.defaultInviteHours): Promise<AdminInvite> {
  const token = randomBytes(32).toString('base64url')
  const db = await useDb()
  const [row] = await db.insert(invites)
    .values({ tokenHash: hashApiKey(token), createdBy, expiresAt: sql`now() + make_interval(secs => ${Math.round(hours * 3600)})` })
    .returning({ id: invites.id })
  const [created] = await listInvites(row!.id)
  return { ...created!, url: inviteUrl(event, token) }
}

/** Invites, newest first (all of them, or the one with id `only`). */
export async function listInvites(only?: number): Promise<AdminInvite[]> {
  const creator = alias(users, 'creator')
  const user = alias(users, 'invited')
  const db = await useDb()
  const rows = await db.select({
    id: invites.id, createdBy: creator.email, createdAt: invites.createdAt, expiresAt: invites.expiresAt,
    usedAt: invites.usedAt, usedBy: user.email, revokedAt: invites.revokedAt,
  }).from(invites)
    .leftJoin(creator, eq(creator.id, invites.createdBy))
    .leftJoin(user, eq(user.id, invites.usedBy))
    .where(only === undefined ? undefined : eq(invites.id, only))
    .orderBy(desc(invites.id))
  return rows.map(row => ({
    ...row,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    usedAt: row.usedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  }))
}

/** Revokes an unused invite (a used one stays as it was); 404 for an unknown id. */
export async function revokeInvite(id: number): Promise<void> {
  const db = await useDb()
  const [row] = await db.select({ id: invites.id }).from(invites).where(eq(invites.id, id))
  if (!row) throw apiError(404, TEAM_ERRORS.inviteNotFound)
  await db.update(invites).set({ revokedAt: sql`now()` }).where(and(eq(invites.id, id), isNull(invites.usedAt), isNull(invites.revokedAt)))
}

/**
 * Takes the invite with this token for `userId`, inside the transaction that creates the user:
 * the update claims it only while unused, unrevoked and unexpired, so two sign-ups with one link
 * cannot both succeed. A refused token says why (409 used, 410 expired or revoked, 403 unknown).
 */
export async function claimInvite(tx: Pick<Database, 'update' | 'select'>, token: string, userId: number): Promise<void> {
  const tokenHash = hashApiKey(token)
  const claimed = await tx.update(invites).set({ usedAt: sql`now()`, usedBy: userId })
    .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), isNull(invites.revokedAt), sql`${invites.expiresAt} > now()`))
    .returning({ id: invites.id })
  if (claimed.length) return
  const [invite] = await tx.select({ usedAt: invites.usedAt, revokedAt: invites.revokedAt }).from(invites).where(eq(invites.tokenHash, tokenHash))
  if (!invite) throw apiError(403, TEAM_ERRORS.inviteInvalid)
  if (invite.usedAt) throw apiError(409, TEAM_ERRORS.inviteUsed)
  if (invite.revokedAt) throw apiError(410, TEAM_ERRORS.inviteRevoked)
  throw apiError(410, TEAM_ERRORS.inviteExpired)
}
