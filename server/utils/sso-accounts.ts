import { and, eq, sql } from 'drizzle-orm'
import type { SsoError } from '#shared/contract'

/** Who a single sign-on provider says signed in. */
export interface SsoIdentity {
  /** `github`, or `oidc:<issuer>`: a subject is unique only at its issuer. */
  provider: string
  /** The provider's stable id of the account (never its email, which can change hands). */
  subject: string
  email: string | undefined
  /** The provider vouches that the email belongs to this account. */
  emailVerified: boolean
}

/**
 * The account an identity signs into: the one it is linked to; else, for a verified email, the
 * account with that email, which it is linked to from now on (one person, one account); else a
 * new account, when single sign-on may create one and the email is verified. An unverified email
 * neither links nor creates: whoever controls a provider account could otherwise claim any
 * address, and take over the account a password user later makes with it.
 *
 * @example const result = await accountForIdentity({ provider: 'github', subject: '42', email, emailVerified: true })
 */
export async function accountForIdentity(identity: SsoIdentity): Promise<{ userId: number } | { error: SsoError }> {
  const db = await useDb()
  const linked = await db.update(tables.userIdentities)
    .set({ lastUsedAt: sql`now()`, email: identity.email ?? null })
    .where(and(eq(tables.userIdentities.provider, identity.provider), eq(tables.userIdentities.subject, identity.subject)))
    .returning({ userId: tables.userIdentities.userId })
  if (linked[0]) return { userId: linked[0].userId }
  if (!identity.email) return { error: 'no_email' }
  if (!identity.emailVerified) return { error: 'email_unverified' }
  const email = identity.email.trim().toLowerCase()

  const [existing] = await db.select({ id: tables.users.id }).from(tables.users).where(sql`lower(${tables.users.email}) = ${email}`)
  let userId = existing?.id
  if (userId === undefined) {
    if (!await mayCreateAccountBySso(email)) return { error: 'signup_closed' }
    // A sign-up by password with the same email at the same moment wins; this one then links to it.
    const [created] = await db.insert(tables.users).values({ email, passwordHash: null }).onConflictDoNothing().returning({ id: tables.users.id })
    userId = created?.id ?? (await db.select({ id: tables.users.id }).from(tables.users).where(sql`lower(${tables.users.email}) = ${email}`))[0]!.id
  }
  // Two first sign-ins of one identity at once: both end in the same account.
  const [identityRow] = await db.insert(tables.userIdentities)
    .values({ userId, provider: identity.provider, subject: identity.subject, email, lastUsedAt: sql`now()` })
    .onConflictDoUpdate({ target: [tables.userIdentities.provider, tables.userIdentities.subject], set: { lastUsedAt: sql`now()` } })
    .returning({ userId: tables.userIdentities.userId })
  return { userId: identityRow!.userId }
}
