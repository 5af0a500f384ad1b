// `node emulator/cli.ts [--port 8787] [--host 127.0.0.1]
//   [--token-delay-ms 15] [--token T] [--account A]`
// Prints one line containing the API base URL, then serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util'
import { startEmulator } from './server.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'token-delay-ms': { type: 'string' },
    token: { type: 'string' },
    account: { type: 'string' },
  },
})

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new Error(`emulator: ${name} must be a non-negative number, got "${value}"`)
  return n
}

const env = process.env
const emulator = await startEmulator({
  port: num('port', values.port ?? env.EMULATOR_PORT) ?? 8787,
  host: values.host ?? env.EMULATOR_HOST,
  tokenDelayMs: num('token-delay-ms', values['token-delay-ms'] ?? env.EMULATOR_TOKEN_DELAY_MS),
  token: values.token ?? env.EMULATOR_TOKEN,
  accountId: values.account ?? env.EMULATOR_ACCOUNT,
})

console.log(`Workers AI emulator listening on ${emulator.url} (account ${emulator.accountId}, token ${emulator.token})`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await emulator.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
