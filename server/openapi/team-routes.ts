import { z } from 'zod'
import { accountDeleteSchema, adminUserPatchSchema, credentialsSchema, ERRORS, inviteCreateSchema, signUpSchema, SIGNUP_MODES, TEAM_ERRORS } from '#shared/contract'
import { signedInSchema } from '#shared/contract/responses'
import type { Operation } from './routes.ts'

const idParams = z.object({ id: z.string().regex(/^\d+$/) })
const adminUserSchema = z.object({
  id: z.int(), email: z.string(), admin: z.boolean(), adminByEnv: z.boolean(), disabled: z.boolean(),
  signInMethods: z.array(z.string()), createdAt: z.string(), lastActiveAt: z.string().nullable(), chats: z.int(),
  tokensThisMonth: z.number(), neuronsThisMonth: z.number(), dailyNeuronLimit: z.number().nullable(), allowedModels: z.array(z.string()).nullable(),
}).meta({ id: 'AdminUser' })
const adminInviteSchema = z.object({
  id: z.int(), createdBy: z.string().nullable(), createdAt: z.string(), expiresAt: z.string(), usedAt: z.string().nullable(),
  usedBy: z.string().nullable(), revokedAt: z.string().nullable(), url: z.string().optional().meta({ description: 'Only when created: the link, with its token.' }),
}).meta({ id: 'AdminInvite' })
const auditEntrySchema = z.object({ id: z.int(), actor: z.string(), action: z.string(), target: z.string().nullable(), details: z.record(z.string(), z.unknown()), at: z.string() }).meta({ id: 'AuditEntry' })
const ADMIN = { 403: TEAM_ERRORS.adminRequired }
const tags = ['Admin']

/** The routes of running Neptun chat for a team: sign-up modes, the admin, leaving. */
export const TEAM_ROUTES: Record<string, Record<string, Operation>> = {
  '/api/auth/sign-up': {
    get: { tags: ['Account'], summary: 'Which SIGNUP_MODE applies', access: 'public', responses: { 200: z.object({ mode: z.enum(SIGNUP_MODES) }) } },
    post: {
      tags: ['Account'], summary: 'Create an account and sign in', description: '`invite`: the token of an invite link, needed when SIGNUP_MODE=invite.', access: 'public', body: signUpSchema, responses: { 201: signedInSchema },
      errors: { 400: 'Invalid email or password', 403: `${ERRORS.passwordSignInDisabled}, ${TEAM_ERRORS.signUpClosed}, ${TEAM_ERRORS.inviteRequired} or ${TEAM_ERRORS.inviteInvalid}`, 409: `${ERRORS.emailTaken}, or ${TEAM_ERRORS.inviteUsed}`, 410: `${TEAM_ERRORS.inviteExpired}, or ${TEAM_ERRORS.inviteRevoked}`, 429: `${ERRORS.signUpThrottled} (Retry-After)` },
    },
  },
  '/api/auth/account': {
    delete: { tags: ['Account'], summary: 'Delete the account and everything in it', description: 'The password, or for an account without one a sign-in within the last minutes.', access: 'user', body: accountDeleteSchema, responses: { 204: null }, errors: { 400: TEAM_ERRORS.passwordRequired, 401: ERRORS.invalidCredentials, 403: TEAM_ERRORS.signInAgain, 409: TEAM_ERRORS.lastAdmin } },
  },
  '/api/auth/account/export': { get: { tags: ['Account'], summary: 'Everything stored about the user, as a JSON download', access: 'user', responses: { 200: { description: 'The export', content: { 'application/json': null } } } } },
  '/api/admin/users': {
    get: { tags, summary: 'Every user', access: 'user', responses: { 200: z.array(adminUserSchema) }, errors: ADMIN },
    post: { tags, summary: 'Create an account (any SIGNUP_MODE)', access: 'user', body: credentialsSchema.extend({ admin: z.boolean().optional() }), responses: { 201: signedInSchema }, errors: { ...ADMIN, 409: ERRORS.emailTaken } },
  },
  '/api/admin/users/{id}': {
    patch: { tags, summary: 'Disable or enable, make or unmake admin, set the daily Neuron cap or the allowed models', access: 'user', path: idParams, body: adminUserPatchSchema, responses: { 204: null }, errors: { ...ADMIN, 404: TEAM_ERRORS.userNotFound, 409: `${TEAM_ERRORS.notOnYourself}, or ${TEAM_ERRORS.adminByEnv}` } },
    delete: { tags, summary: 'Delete a user and everything they own', access: 'user', path: idParams, responses: { 204: null }, errors: { ...ADMIN, 404: TEAM_ERRORS.userNotFound, 409: TEAM_ERRORS.notOnYourself } },
  },
  '/api/admin/invites': {
    get: { tags, summary: 'Invite links (without tokens)', access: 'user', responses: { 200: z.array(adminInviteSchema) }, errors: ADMIN },
    post: { tags, summary: 'Create a single-use invite link', access: 'user', body: inviteCreateSchema, responses: { 201: adminInviteSchema }, errors: ADMIN },
  },
  '/api/admin/invites/{id}': { delete: { tags, summary: 'Revoke an invite link', access: 'user', path: idParams, responses: { 204: null }, errors: { ...ADMIN, 404: TEAM_ERRORS.inviteNotFound } } },
  '/api/admin/audit': { get: { tags, summary: 'What admins did, newest first', access: 'user', responses: { 200: z.array(auditEntrySchema) }, errors: ADMIN } },
}
