// Vitest global setup for the API suites: one emulator and one production server per project,
// shared by its test files (which run one after another, see vitest.config.ts).
import type { TestProject } from 'vitest/node'
import { startAppServer } from '../../harness/app-server.ts'
import { startEmulator } from '../../emulator/server.ts'
import { startPostgres } from '../../harness/postgres.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string
    emulatorUrl: string
    /** PostgreSQL URL when the project runs on PostgreSQL, else ''. */
    postgresUrl: string
    database: 'pglite' | 'postgres'
    /** Which build serves appUrl: the Node server or the Cloudflare Worker (in workerd). */
    runtime: 'node' | 'workers'
  }
}

/** Timeouts short enough for tests to hit them, long enough for a loaded CI machine. */
export const TEST_TIMEOUTS = { CHAT_FIRST_TOKEN_TIMEOUT_MS: '2000', CHAT_IDLE_TIMEOUT_MS: '2000' }

export function apiSetup(database: 'pglite' | 'postgres') {
  return async function setup(project: TestProject) {
    const emulator = await startEmulator({ tokenDelayMs: 2 })
    const postgres = database === 'postgres' ? await startPostgres() : undefined
    const app = await startAppServer({ emulatorUrl: emulator.url, databaseUrl: postgres?.url, env: TEST_TIMEOUTS })
    project.provide('appUrl', app.url)
    project.provide('emulatorUrl', emulator.url)
    project.provide('postgresUrl', postgres?.url ?? '')
    project.provide('database', database)
    project.provide('runtime', 'node')
    return async () => {
      await app.stop()
      await emulator.close()
      postgres?.stop()
    }
  }
}
