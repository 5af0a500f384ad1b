import { adminUserPatchSchema, idSchema, TEAM_ERRORS } from '#shared/contract'

/**
 * PATCH /api/admin/users/:id {disabled?, admin?, dailyNeuronLimit?, allowedModels?}: disabling
 * stops the user's sessions and API keys at their next request, on every instance.
 */
export default defineEventHandler(async (event) => {
  const admin = await requireAdmin(event)
  const id = idSchema.safeParse(getRouterParam(event, 'id'))
  if (!id.success) throw apiError(404, TEAM_ERRORS.userNotFound)
  const patch = await readValidatedJson(event, adminUserPatchSchema)
  await updateUserAsAdmin(admin, id.data, patch)
  return sendNoContent(event, 204)
})
