// Runs the Cloudflare Worker build (.output-worker) locally in workerd through `wrangler dev`,
// offline: REST mode against the emulator (the AI binding needs Cloudflare's network) and a
// local PostgreSQL over TCP sockets. Wrangler's Request.cf download and metrics are turned off.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, SUITE_LIMITS_OFF, TEST_SESSION_PASSWORD, type AppServer } from '../../harness/app-server.ts'
import { freePort } from '../../harness/postgres.ts'

/** The Worker build; NEPTUN_WORKER_OUTPUT points the suites at another one (e.g. an older build). */
export const WORKER_OUTPUT = process.env.NEPTUN_WORKER_OUTPUT ?? join(ROOT, '.output-worker')

export async function startWorkerServer(options: { emulatorUrl: string, databaseUrl: string, env?: Record<string, string> }): Promise<AppServer> {
  if (!existsSync(join(WORKER_OUTPUT, 'server/index.mjs'))) throw new Error('No Worker build: run `NEPTUN_OUTPUT_DIR=.output-worker npm run build:cloudflare` (npm test does it).')
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'neptun-worker-'))
  writeFileSync(join(dir, 'wrangler.json'), JSON.stringify({
    name: 'neptun-chat-test',
    main: join(WORKER_OUTPUT, 'server/index.mjs'),
    compatibility_date: '2026-05-01',
    compatibility_flags: ['nodejs_compat'],
    assets: { directory: join(WORKER_OUTPUT, 'public'), binding: 'ASSETS' },
  }))
  const vars = {
    NUXT_SESSION_PASSWORD: TEST_SESSION_PASSWORD,
    CLOUDFLARE_ACCOUNT_ID: 'emulator-account',
    CLOUDFLARE_API_TOKEN: 'emulator-token',
    CLOUDFLARE_API_BASE_URL: options.emulatorUrl,
    NUXT_AI_EMULATOR: 'true',
    DATABASE_URL: options.databaseUrl,
    ...SUITE_LIMITS_OFF,
    ...options.env,
  }
  const args = ['dev', '-c', join(dir, 'wrangler.json'), '--port', String(port), '--ip', '127.0.0.1', '--local', '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`])]
  const spawnedAt = performance.now()
  const child = spawn(join(ROOT, 'node_modules/.bin/wrangler'), args, {
    cwd: dir,
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    // wrangler starts workerd as a child: end the whole group.
    try {
      process.kill(-child.pid!, 'SIGTERM')
    }
    catch {}
    await Promise.race([new Promise(r => child.once('exit', r)), new Promise(r => setTimeout(r, 5000))])
    try {
      process.kill(-child.pid!, 'SIGKILL')
    }
    catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler exited with ${child.exitCode}:\n${output}`)
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) })
      if (res.ok) break
    }
    catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the Worker did not become healthy in 90 s:\n${output}`)
    }
    await new Promise(r => setTimeout(r, 250))
  }
  return { url, port, process: child, logs: () => output, stop, spawnedAt, healthyAt: performance.now() }
}
