import { nextMidnightUtc, type UsageReport } from '#shared/contract'

/** GET /api/usage: the caller's Workers AI use today and this month (UTC), per model. */
export default defineEventHandler(async (event): Promise<UsageReport> => {
  const user = await requireUser(event)
  return usageReport(user.id, serverConfig().dailyNeuronLimit, nextMidnightUtc())
})
