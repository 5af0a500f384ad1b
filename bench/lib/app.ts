// The built production server for the benchmark: harness/app-server.ts's, with Node flags
// (--cpu-prof), a SIGINT stop (so profiles get written) and the cold-start timestamps.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, SERVER_ENTRY, startAppServer } from '../../harness/app-server.ts'
import type { Child } from './proc.ts'

export { ROOT, SERVER_ENTRY }

export interface BenchApp extends Child {
  /** performance.now() at spawn and at the first 200 of /api/health. */
  spawnedAt: number
  healthyAt: number
}

export async function startApp(options: {
  emulatorUrl: string
  /** The server entry to run; default .output/server/index.mjs (run.ts passes a private snapshot). */
  serverEntry?: string
  databaseUrl?: string
  env?: Record<string, string | undefined>
  nodeArgs?: string[]
  pollMs?: number
}): Promise<BenchApp> {
  if (!existsSync(options.serverEntry ?? SERVER_ENTRY)) throw new Error('No production build (.output): run `npm run bench -- --build`.')
  // One benchmark user runs up to 1,000 answers at once: the cap on answers generating at once
  // stays on (its cost is measured) but out of reach.
  const app = await startAppServer({ ...options, pollMs: options.pollMs ?? 10, stopSignal: 'SIGINT', env: { NODE_NO_WARNINGS: '1', CHAT_MAX_CONCURRENT_ANSWERS: '1000000', ...options.env } })
  return { ...app, pid: app.process.pid! }
}

/**
 * Copies .output to a private folder so that a rebuild by someone else during the run cannot
 * swap the client chunks under a running server. Returns the copy's folder.
 */
export function snapshotOutput(): string {
  const source = join(ROOT, '.output')
  for (let attempt = 0; ; attempt++) {
    const before = statSync(join(source, 'nitro.json')).mtimeMs
    const dir = mkdtempSync(join(tmpdir(), 'neptun-bench-output-'))
    cpSync(source, dir, { recursive: true })
    if (statSync(join(source, 'nitro.json')).mtimeMs === before && existsSync(join(dir, 'server/index.mjs'))) return dir
    rmSync(dir, { recursive: true, force: true })
    if (attempt >= 5) throw new Error('.output keeps changing (a build is running): try again later')
    spawnSync('sleep', ['10'])
  }
}
