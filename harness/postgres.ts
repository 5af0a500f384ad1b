// A throwaway PostgreSQL 15 cluster for the test run: initdb in a temp folder, listening on
// 127.0.0.1 only, stopped and removed afterwards. PostgreSQL refuses to run as root, so as
// root it runs as the `postgres` user.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'

export interface TestPostgres {
  url: string
  port: number
  cluster: Cluster
  stop: () => void
}

export interface Cluster { data: string, port: number, dir: string }

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function asPostgresUser(command: string, args: string[]) {
  const isRoot = process.getuid?.() === 0
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(file, argv, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`)
}

export async function startPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 not found in ${POSTGRES_BIN} (set POSTGRES_BIN). On Debian: apt-get install postgresql-15.`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'neptun-pg-'))
  chmodSync(dir, 0o777)
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir])
  const data = join(dir, 'data')
  const port = await freePort()
  asPostgresUser(join(POSTGRES_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const stop = () => {
    spawnSync(process.getuid?.() === 0 ? 'runuser' : join(POSTGRES_BIN, 'pg_ctl'),
      process.getuid?.() === 0 ? ['-u', 'postgres', '--', join(POSTGRES_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop'])
    rmSync(dir, { recursive: true, force: true })
  }
  const cluster = { data, port, dir }
  controlPostgres(cluster, 'start')
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, cluster, stop }
}

/** Starts or stops the cluster in place (the database-outage tests stop it under a running server). */
export function controlPostgres(cluster: Cluster, action: 'start' | 'stop') {
  const pgCtl = join(POSTGRES_BIN, 'pg_ctl')
  if (action === 'start') {
    asPostgresUser(pgCtl, ['-D', cluster.data, '-w', '-l', join(cluster.dir, 'log'), '-o', `-p ${cluster.port} -h 127.0.0.1 -k ${cluster.dir} -F -c max_connections=200`, 'start'])
  }
  else {
    asPostgresUser(pgCtl, ['-D', cluster.data, '-w', '-m', 'fast', 'stop'])
  }
}
