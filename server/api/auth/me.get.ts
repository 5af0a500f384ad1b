import type { CurrentUser } from '#shared/contract'

export default defineEventHandler(async (event): Promise<CurrentUser> => {
  const { user, lastModel } = await requireUserOwning(event, undefined, { countApiCall: true })
  return { user, lastModel }
})
