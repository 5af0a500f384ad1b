// Vitest global setup for the browser tests: the built app on PGlite, wired to an emulator paced
// like a real model (so intermediate renderings can be seen), shared by the e2e files.
import type { TestProject } from 'vitest/node'
import { startAppServer } from '../../harness/app-server.ts'
import { startEmulator } from '../../emulator/server.ts'

export default async function setup(project: TestProject) {
  const emulator = await startEmulator({ tokenDelayMs: 30 })
  const app = await startAppServer({ emulatorUrl: emulator.url, env: { CHAT_FIRST_TOKEN_TIMEOUT_MS: '3000', CHAT_IDLE_TIMEOUT_MS: '3000' } })
  project.provide('appUrl', app.url)
  project.provide('emulatorUrl', emulator.url)
  project.provide('postgresUrl', '')
  project.provide('database', 'pglite')
  project.provide('runtime', 'node')
  return async () => {
    await app.stop()
    await emulator.close()
  }
}
