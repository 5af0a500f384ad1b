import { z } from 'zod'
import { MODELS } from './models.ts'
import { TEAM_ERRORS, TEAM_LIMITS } from './team.ts'

/** Request bodies of the team routes (admin, invites, account deletion). */

const MODEL_NAMES = new Set(MODELS.map(model => model.name))

/** POST /api/admin/invites: how long the link works, in hours (fractions too: 0.5 is half an hour). */
export const inviteCreateSchema = z.object({
  expiresInHours: z.number({ error: TEAM_ERRORS.inviteHoursInvalid }).finite({ error: TEAM_ERRORS.inviteHoursInvalid })
    .gt(0, { error: TEAM_ERRORS.inviteHoursInvalid }).max(TEAM_LIMITS.maxInviteHours, { error: TEAM_ERRORS.inviteHoursInvalid }).optional(),
})

/** PATCH /api/admin/users/:id: any of these; null clears a cap or an allow-list. */
export const adminUserPatchSchema = z.object({
  disabled: z.boolean().optional(),
  admin: z.boolean().optional(),
  dailyNeuronLimit: z.number({ error: TEAM_ERRORS.neuronLimitInvalid }).finite({ error: TEAM_ERRORS.neuronLimitInvalid })
    .min(0, { error: TEAM_ERRORS.neuronLimitInvalid }).nullable().optional(),
  allowedModels: z.array(z.string().refine(name => MODEL_NAMES.has(name), { error: TEAM_ERRORS.allowedModelsInvalid }), { error: TEAM_ERRORS.allowedModelsInvalid })
    .max(MODELS.length, { error: TEAM_ERRORS.allowedModelsInvalid }).nullable().optional(),
}).refine(body => Object.values(body).some(value => value !== undefined), { error: TEAM_ERRORS.userPatchEmpty })

/** DELETE /api/auth/account: the password, for accounts that have one. */
export const accountDeleteSchema = z.object({ password: z.string().max(256).optional() })
