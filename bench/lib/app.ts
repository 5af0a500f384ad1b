// Starts the built production server (.output) like tests/support/app-server.ts does, but spawned
// here so the benchmark can pass Node flags (--cpu-prof) and time the cold start precisely.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, SERVER_ENTRY, TEST_SESSION_PASSWORD } from '../../tests/support/app-server.ts'
import { freePort } from '../../tests/support/postgres.ts'
import { stopChild, type Child } from './proc.ts'

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
  const entry = options.serverEntry ?? SERVER_ENTRY
  if (!existsSync(entry)) throw new Error('No production build (.output): run `npm run bench -- --build`.')
  const port = await freePort()
  const dataDir = options.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'neptun-bench-pglite-'))
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    NUXT_SESSION_PASSWORD: TEST_SESSION_PASSWORD,
    DATABASE_URL: options.databaseUrl ?? `pglite://${dataDir}`,
    CHAT_RATE_LIMIT_PER_MINUTE: '0',
    CLOUDFLARE_ACCOUNT_ID: 'emulator-account',
    CLOUDFLARE_API_TOKEN: 'emulator-token',
    CLOUDFLARE_API_BASE_URL: options.emulatorUrl,
    NUXT_AI_EMULATOR: 'true',
    NODE_NO_WARNINGS: '1',
    ...options.env,
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output += chunk
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    await stopChild(child, 'SIGINT', 10_000)
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app server exited with ${child.exitCode}:\n${output}`)
    try {
      const res = await fetch(`${url}/api/health`)
      await res.arrayBuffer()
      if (res.ok) break
    }
    catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`app server did not become healthy in 60 s:\n${output}`)
    }
    await new Promise(r => setTimeout(r, options.pollMs ?? 10))
  }
  return { process: child, pid: child.pid!, url, logs: () => output, stop, spawnedAt, healthyAt: performance.now() }
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
