import type { CurrentUser } from '#shared/contract'

export default defineEventHandler(async (event): Promise<CurrentUser> => {
  const { user, lastModel } = await requireUserOwning(event, undefined)
  return { user, lastModel }
})
