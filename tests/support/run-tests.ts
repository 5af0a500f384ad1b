// `npm test`: installs what the suite needs on this machine (Debian's Chromium, PostgreSQL 15),
// builds the production server once, then runs every vitest project. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../../harness/app-server.ts'
import { CHROMIUM_PATH } from '../../harness/browser.ts'
import { POSTGRES_BIN } from '../../harness/postgres.ts'

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, env })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function aptInstall(packages: string[], why: string): void {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`${why} is missing: install it with apt-get install -y ${packages.join(' ')}`)
    process.exit(1)
  }
  console.log(`Installing ${packages.join(', ')} from Debian's packages (${why})…`)
  run('apt-get', ['update', '-qq'])
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' })
}

if (!existsSync(CHROMIUM_PATH)) aptInstall(['chromium'], 'Chromium for the browser tests')
if (!existsSync(join(POSTGRES_BIN, 'initdb'))) aptInstall(['postgresql-15'], 'PostgreSQL 15 for the database tests')

// Types and lint first: a call to something that no longer exists fails here, not in a running server.
run(join(ROOT, 'node_modules/.bin/nuxi'), ['typecheck'])
run(join(ROOT, 'node_modules/.bin/eslint'), ['.'])

if (process.env.NEPTUN_SKIP_BUILD !== '1') {
  const nuxt = join(ROOT, 'node_modules/.bin/nuxt')
  run(nuxt, ['build'])
  // The Cloudflare Worker build, kept apart for the api-worker project.
  run(nuxt, ['build'], { ...process.env, NITRO_PRESET: 'cloudflare_module', NEPTUN_OUTPUT_DIR: '.output-worker' })
}
run(join(ROOT, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)])
