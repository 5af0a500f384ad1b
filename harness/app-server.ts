// Starts the built production server (.output) as a child process, the way `npm start` runs it.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from './postgres.ts'

export const ROOT = resolve(import.meta.dirname, '..')
/** The built server; NEPTUN_SERVER_ENTRY points the suites at another build (e.g. an older one, to see a test fail there). */
export const SERVER_ENTRY = process.env.NEPTUN_SERVER_ENTRY ?? join(ROOT, '.output/server/index.mjs')
export const TEST_SESSION_PASSWORD = 'test-session-password-of-at-least-32-chars'

/**
 * Limits that a test suite would run into only by being a test suite (hundreds of sign-ups and
 * chats from one address, thousands of requests a minute): off unless a test sets them. The
 * log-in throttle keeps its defaults.
 */
export const SUITE_LIMITS_OFF = {
  CHAT_RATE_LIMIT_PER_MINUTE: '0',
  API_RATE_LIMIT_PER_MINUTE: '0',
  CHAT_CREATE_RATE_LIMIT_PER_MINUTE: '0',
  SIGNUP_RATE_LIMIT_PER_IP: '0',
  SIGNUP_RATE_LIMIT_PER_HOUR: '0',
}

export interface AppServer {
  url: string
  port: number
  process: ChildProcess
  /** Everything the server printed, for assertions about logs. */
  logs: () => string
  stop: () => Promise<void>
  /** performance.now() at spawn and at the first 200 of /api/health (cold start). */
  spawnedAt: number
  healthyAt: number
}

export interface AppServerOptions {
  /** Emulator API base (…/client/v4); credentials are the emulator's defaults. */
  emulatorUrl?: string
  /** DATABASE_URL; default: a fresh PGlite folder removed on stop. */
  databaseUrl?: string
  env?: Record<string, string | undefined>
  port?: number
  /** The server entry; default .output/server/index.mjs (the benchmark runs a private copy). */
  serverEntry?: string
  /** Node flags, e.g. --cpu-prof. */
  nodeArgs?: string[]
  /** How often to poll /api/health while starting, in ms. */
  pollMs?: number
  /** SIGTERM by default; SIGINT lets --cpu-prof write its profile. */
  stopSignal?: NodeJS.Signals
}

export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const entry = options.serverEntry ?? SERVER_ENTRY
  if (!existsSync(entry)) throw new Error('No production build: run `npm run build` (npm test does it for you).')
  const port = options.port ?? await freePort()
  const dataDir = options.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'neptun-pglite-'))
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    NUXT_SESSION_PASSWORD: TEST_SESSION_PASSWORD,
    DATABASE_URL: options.databaseUrl ?? `pglite://${dataDir}`,
    ...SUITE_LIMITS_OFF,
    ...(options.emulatorUrl
      ? {
          CLOUDFLARE_ACCOUNT_ID: 'emulator-account',
          CLOUDFLARE_API_TOKEN: 'emulator-token',
          CLOUDFLARE_API_BASE_URL: options.emulatorUrl,
          NUXT_AI_EMULATOR: 'true',
        }
      : {}),
    ...options.env,
  }
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], { cwd: ROOT, env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer) => {
    output += chunk
    // Long runs (benchmarks, chaos) keep the tail only.
    if (output.length > 1_000_000) output = output.slice(-500_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const url = `http://127.0.0.1:${port}`

  const stop = async () => {
    if (child.exitCode === null) {
      child.kill(options.stopSignal ?? 'SIGTERM')
      await Promise.race([new Promise(r => child.once('exit', r)), new Promise(r => setTimeout(r, 10_000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`)
    try {
      const res = await fetch(`${url}/api/health`)
      await res.arrayBuffer()
      if (res.ok) break
    }
    catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`server did not become healthy in 30 s:\n${output}`)
    }
    await new Promise(r => setTimeout(r, options.pollMs ?? 50))
  }
  return { url, port, process: child, logs: () => output, stop, spawnedAt, healthyAt: performance.now() }
}
