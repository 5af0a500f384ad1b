/**
 * Running Neptun chat for a team: sign-up modes, invites, the admin's routes and account
 * deletion. Error texts and limits live here (zod-free, for the browser too); the request
 * schemas in team-schemas.ts.
 */

/** SIGNUP_MODE: who may create an account. `closed`: only an admin (POST /api/admin/users). */
export const SIGNUP_MODES = ['open', 'invite', 'closed'] as const
export type SignUpMode = (typeof SIGNUP_MODES)[number]

export const TEAM_LIMITS = {
  /** An invite's lifetime when the admin names none, and the longest allowed, in hours. */
  defaultInviteHours: 7 * 24,
  maxInviteHours: 90 * 24,
  /** Deleting an account without a password needs a sign-in at most this old. */
  freshSignInMinutes: 10,
  /** Audit entries one GET /api/admin/audit returns (newest first). */
  auditPage: 200,
  /** Characters of an invite token in a request: ours are 43; anything longer is not ours. */
  maxInviteTokenChars: 100,
} as const

export const TEAM_ERRORS = {
  adminRequired: 'Admins only',
  accountDisabled: 'This account is disabled: ask an admin',
  signUpClosed: 'Sign-up is closed: ask an admin for an account',
  inviteRequired: 'Sign-up is by invitation only: open the invite link you were sent',
  inviteInvalid: 'This invite link is not valid',
  inviteUsed: 'This invite link was already used',
  inviteExpired: 'This invite link has expired: ask for a new one',
  inviteRevoked: 'This invite link was revoked',
  inviteNotFound: 'Invite not found',
  inviteHoursInvalid: `expiresInHours must be a number of hours above 0 and at most ${TEAM_LIMITS.maxInviteHours}`,
  userNotFound: 'User not found',
  notOnYourself: 'Admins cannot disable, demote or delete themselves',
  adminByEnv: 'This user is an admin through ADMIN_EMAILS: remove them there',
  lastAdmin: 'You are the only admin: make someone else admin before deleting your account',
  modelNotAllowed: 'Your account may not use this model: ask an admin',
  allowedModelsInvalid: 'allowedModels must be null or a list of catalogue model names',
  neuronLimitInvalid: 'dailyNeuronLimit must be null or a number of at least 0',
  userPatchEmpty: 'Nothing to change: give disabled, admin, dailyNeuronLimit or allowedModels',
  passwordRequired: 'Enter your password to delete your account',
  signInAgain: `Sign in again (within ${TEAM_LIMITS.freshSignInMinutes} minutes) to delete your account`,
} as const

/** GET /api/auth/sign-up: what the sign-up page shows. */
export interface SignUpInfo {
  mode: SignUpMode
}

/** How a user can sign in ('password'; passkeys and single sign-on add theirs). */
export type SignInMethod = string

/** A row of GET /api/admin/users. */
export interface AdminUser {
  id: number
  email: string
  admin: boolean
  /** Admin through ADMIN_EMAILS (cannot be demoted on the page). */
  adminByEnv: boolean
  disabled: boolean
  signInMethods: SignInMethod[]
  createdAt: string
  lastActiveAt: string | null
  chats: number
  /** This UTC month. */
  tokensThisMonth: number
  neuronsThisMonth: number
  /** null: CHAT_DAILY_NEURON_LIMIT applies. */
  dailyNeuronLimit: number | null
  /** null: every model. */
  allowedModels: string[] | null
}

/** A row of GET /api/admin/invites; `url` only in the answer to POST (the token is shown once). */
export interface AdminInvite {
  id: number
  createdBy: string | null
  createdAt: string
  expiresAt: string
  usedAt: string | null
  usedBy: string | null
  revokedAt: string | null
  url?: string
}

export interface AuditEntry {
  id: number
  actor: string
  action: string
  target: string | null
  details: Record<string, unknown>
  at: string
}

/**
 * Whether a sign-in at `signedInAt` (ms since the epoch) is recent enough to delete an account
 * that has no password (undefined: a session from before sign-in times were kept, or an API key).
 */
export function isFreshSignIn(signedInAt: number | undefined, now: number = Date.now()): boolean {
  return signedInAt !== undefined && now - signedInAt >= 0 && now - signedInAt <= TEAM_LIMITS.freshSignInMinutes * 60_000
}
