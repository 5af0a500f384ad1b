import type { CurrentUser } from '#shared/contract'

export default defineEventHandler(async (event): Promise<CurrentUser> => {
  const { user, lastModel, admin, allowedModels } = await requireUserOwning(event, undefined, { countApiCall: true })
  return { user, lastModel, admin, allowedModels }
})
