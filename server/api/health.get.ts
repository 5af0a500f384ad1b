import { sql } from 'drizzle-orm'
import type { HealthStatus } from '#shared/contract'
import { workersAiSettings } from '#server/workers-ai'

/** GET /api/health: readiness for load balancers (503 while the database is down) and the demo banner. */
export default defineEventHandler(async (event): Promise<HealthStatus> => {
  const settings = workersAiSettings(event)
  const ai = !settings ? 'unconfigured' : settings.emulator ? 'emulator' : 'workers-ai'
  const database = await useDb().then(db => db.execute(sql`select 1`)).then(() => 'up' as const, () => 'down' as const)
  if (database === 'down') setResponseStatus(event, 503)
  return { ok: database === 'up', database, ai }
})
