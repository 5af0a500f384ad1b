import { nextMidnightUtc, type UsageReport } from '#shared/contract'

/** GET /api/usage: the caller's Workers AI use today and this month (UTC), per model, and their ratings of its answers. */
export default defineEventHandler(async (event): Promise<UsageReport> => {
  const { user, dailyNeuronLimit } = await requireUserOwning(event, undefined, { countApiCall: true })
  const [report, feedback] = await Promise.all([usageReport(user.id, dailyNeuronLimit, nextMidnightUtc()), feedbackPerModel(user.id)])
  return { ...report, feedback }
})
