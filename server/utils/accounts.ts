import type { H3Event } from 'h3'
import { ERRORS, TEAM_ERRORS, type PublicUser } from '#shared/contract'

interface NewAccount {
  email: string
  password: string
  /** An invite link's token, required when SIGNUP_MODE=invite. */
  invite?: string
}

type CreatedAccount = PublicUser & { sessionVersion: number }

/**
 * Creates an account by sign-up, as SIGNUP_MODE allows: `open`, anyone; `invite`, with an
 * unused, unexpired invite token; `closed`, nobody (403; an admin creates accounts instead).
 * In every mode the very first account (which the database makes an admin) and the addresses
 * ADMIN_EMAILS lists may sign up, so a new invite-only or closed installation gets its admin.
 * One transaction: a refused sign-up leaves neither an account nor a spent invite. 409 for a
 * taken email.
 *
 * @example const user = await signUpAccount(event, { email, password, invite })
 */
export async function signUpAccount(event: H3Event, account: NewAccount): Promise<CreatedAccount> {
  const mode = serverConfig().signUpMode
  const bootstrap = isAdminEmail(account.email)
  if (mode === 'invite' && !account.invite && !bootstrap && await anyUserExists()) throw apiError(403, TEAM_ERRORS.inviteRequired)
  if (mode === 'closed' && !bootstrap && await anyUserExists()) throw apiError(403, TEAM_ERRORS.signUpClosed)
  const passwordHash = await hashNewPassword(account.password)
  const db = await useDb()
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(tables.users)
      .values({ email: account.email, passwordHash, locale: localeFromCookie(event) })
      .onConflictDoNothing()
      .returning({ id: tables.users.id, email: tables.users.email, sessionVersion: tables.users.sessionVersion, first: tables.users.isAdmin })
    if (!user) throw apiError(409, ERRORS.emailTaken)
    // Checked again on the inserted row: of two first sign-ups at once, only one is first.
    if (mode !== 'open' && !bootstrap && !user.first) {
      if (mode === 'closed') throw apiError(403, TEAM_ERRORS.signUpClosed)
      if (!account.invite) throw apiError(403, TEAM_ERRORS.inviteRequired)
      await claimInvite(tx, account.invite, user.id)
    }
    return user
  })
}

/**
 * Whether a new account may be created for `email` without an invite, as SIGNUP_MODE says: in
 * `open` mode, or for an ADMIN_EMAILS address, or as the very first account. For other ways of
 * creating accounts (single sign-on) to ask before they insert a user.
 *
 * @example if (!await accountCreationAllowed(email)) throw apiError(403, TEAM_ERRORS.signUpClosed)
 */
export async function accountCreationAllowed(email: string): Promise<boolean> {
  return serverConfig().signUpMode === 'open' || isAdminEmail(email) || !await anyUserExists()
}

async function anyUserExists(): Promise<boolean> {
  const db = await useDb()
  const rows = await db.select({ id: tables.users.id }).from(tables.users).limit(1)
  return rows.length > 0
}

/**
 * Creates an account for an admin (any SIGNUP_MODE), optionally an admin too.
 *
 * @example const user = await createAccountAsAdmin({ email, password })
 */
export async function createAccountAsAdmin(account: { email: string, password: string, admin?: boolean }): Promise<PublicUser> {
  const db = await useDb()
  const [user] = await db.insert(tables.users)
    .values({ email: account.email, passwordHash: await hashNewPassword(account.password), ...(account.admin ? { isAdmin: true } : {}) })
    .onConflictDoNothing()
    .returning({ id: tables.users.id, email: tables.users.email })
  if (!user) throw apiError(409, ERRORS.emailTaken)
  return user
}
