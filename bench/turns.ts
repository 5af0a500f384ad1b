// The whole-turn phase of `npm run bench` on its own, for working on a turn's cost:
// `node bench/turns.ts [--database pglite|postgres] [--quick]` (Node 22; builds nothing: run
// `npm run build` first). Prints the phase's figures for each database as JSON.
import { join } from 'node:path'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { ROOT, SERVER_ENTRY } from './lib/app.ts'
import { measureDatabaseTurns, type DatabaseName } from './lib/databases.ts'
import { spawnNode, type Child } from './lib/proc.ts'

const { values: args } = parseArgs({ options: { database: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false } } })
const databases = (args.database ?? ['pglite', 'postgres']) as DatabaseName[]
const children: Child[] = []
try {
  const emu = await spawnNode(join(ROOT, 'emulator/cli.ts'), ['--port', '0', '--token-delay-ms', '0'], { cwd: ROOT, ready: /listening on (http:\/\/\S+\/client\/v4)/, name: 'emulator' })
  children.push(emu)
  const pipe = await spawnNode(join(ROOT, 'bench/pipe-proxy.ts'), ['--upstream', emu.url.replace(/\/client\/v4$/, '')], { cwd: ROOT, ready: /listening on (http:\/\/\S+)/, name: 'pipe-proxy' })
  children.push(pipe)
  const pipeTarget = {
    name: 'pipe' as const, marker: Buffer.from('"tool_calls"'), pid: () => pipe.pid,
    request: (content: string) => ({
      url: `${pipe.url}/client/v4/accounts/emulator-account/ai/run/@cf/meta/llama-3.3-70b-instruct-fp8-fast`,
      headers: { 'content-type': 'application/json', 'authorization': 'Bearer emulator-token' },
      body: JSON.stringify({ messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content }], stream: true, max_tokens: 2048 }),
    }),
  }
  console.error(`load average at start ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
  for (const database of databases) {
    const r = await measureDatabaseTurns(database, {
      emulatorUrl: emu.url, serverEntry: SERVER_ENTRY, pipe: pipeTarget, emulatorPid: emu.pid, concurrency: 20, tokens: 250,
      rounds: args.quick ? 1 : 5, windowMs: args.quick ? 1500 : 4000, ttft1: args.quick ? 15 : 60, ttft100Bursts: args.quick ? 1 : 5, restTurns: 60,
    })
    console.log(JSON.stringify(r))
  }
  console.error(`load average at end ${loadavg().map(l => l.toFixed(2)).join(' ')}`)
}
finally {
  await Promise.all(children.map(child => child.stop().catch(() => {})))
}
