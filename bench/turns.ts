// The whole-turn phase of `npm run bench` on its own, for working on a turn's cost:
// `node bench/turns.ts [--database pglite|postgres] [--quick]` (Node 22; builds nothing: run
// `npm run build` first). Prints the phase's figures for each database as JSON.
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { SERVER_ENTRY } from './lib/app.ts'
import { measureDatabaseTurns, type DatabaseName } from './lib/databases.ts'
import { emulatorOrigin, pipeTarget, startEmulator, startPipe } from './lib/peers.ts'
import type { Child } from './lib/proc.ts'

const { values: args } = parseArgs({ options: { database: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false } } })
const databases = (args.database ?? ['pglite', 'postgres']) as DatabaseName[]
const children: Child[] = []
try {
  const emu = await startEmulator()
  children.push(emu)
  const pipe = await startPipe(emulatorOrigin(emu))
  children.push(pipe)
  console.error(`load average at start ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
  for (const database of databases) {
    const r = await measureDatabaseTurns(database, {
      emulatorUrl: emu.url, serverEntry: SERVER_ENTRY, pipe: pipeTarget(pipe), emulatorPid: emu.pid, concurrency: 20, tokens: 250,
      rounds: args.quick ? 1 : 5, windowMs: args.quick ? 1500 : 4000, ttft1: args.quick ? 15 : 60, ttft100Bursts: args.quick ? 1 : 5, restTurns: 60,
    })
    console.log(JSON.stringify(r))
  }
  console.error(`load average at end ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
}
finally {
  await Promise.all(children.map(child => child.stop().catch(() => {})))
}
