import { nextMidnightUtc, type UsageReport } from '#shared/contract'

/** GET /api/usage: the caller's Workers AI use today and this month (UTC), per model, and their ratings of its answers. */
export default defineEventHandler(async (event): Promise<UsageReport> => {
  const user = await requireUser(event)
  const [report, feedback] = await Promise.all([usageReport(user.id, serverConfig().dailyNeuronLimit, nextMidnightUtc()), feedbackPerModel(user.id)])
  return { ...report, feedback }
})
