// Vitest global setup for the API contract suite against the Cloudflare Worker build in workerd.
import type { TestProject } from 'vitest/node'
import { startEmulator } from '../../emulator/server.ts'
import { startPostgres } from '../../harness/postgres.ts'
import { TEST_TIMEOUTS } from './setup-api.ts'
import { startWorkerServer } from './worker-server.ts'

export default async function setup(project: TestProject) {
  const emulator = await startEmulator({ tokenDelayMs: 2 })
  const postgres = await startPostgres()
  const worker = await startWorkerServer({ emulatorUrl: emulator.url, databaseUrl: postgres.url, env: TEST_TIMEOUTS })
  project.provide('appUrl', worker.url)
  project.provide('emulatorUrl', emulator.url)
  project.provide('postgresUrl', postgres.url)
  project.provide('database', 'postgres')
  project.provide('runtime', 'workers')
  return async () => {
    await worker.stop()
    await emulator.close()
    postgres.stop()
  }
}
