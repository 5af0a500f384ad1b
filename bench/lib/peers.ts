// What the app is measured against, shared by bench/run.ts and bench/turns.ts: the Workers AI
// emulator, the pipe (a bare proxy to it: the floor) and the stock AI SDK pipeline.
import { join } from 'node:path'
import { ROOT } from './app.ts'
import type { Target } from './load.ts'
import { spawnNode, type Child } from './proc.ts'

export const WORKERS_MODEL = '@cf/meta/llama-3.3-70b-instruct-fp8-fast'
/** In every Workers AI token frame, not in the usage frame. */
export const WAI_TOKEN = Buffer.from('"tool_calls"')

export function startEmulator(): Promise<Child> {
  return spawnNode(join(ROOT, 'emulator/cli.ts'), ['--port', '0', '--token-delay-ms', '0'], {
    cwd: ROOT, ready: /listening on (http:\/\/\S+\/client\/v4)/, name: 'emulator',
  })
}

/** The emulator's origin (http://host:port), for its control API and the pipe. */
export function emulatorOrigin(emu: Child): string {
  return emu.url.replace(/\/client\/v4$/, '')
}

export function startPipe(origin: string, nodeArgs: string[] = []): Promise<Child> {
  return spawnNode(join(ROOT, 'bench/pipe-proxy.ts'), ['--upstream', origin], { cwd: ROOT, nodeArgs, ready: /listening on (http:\/\/\S+)/, name: 'pipe-proxy' })
}

export function startStock(emulatorUrl: string, nodeArgs: string[] = []): Promise<Child> {
  return spawnNode(join(ROOT, 'bench/stock-pipeline.ts'), ['--upstream', emulatorUrl], { cwd: ROOT, nodeArgs, ready: /listening on (http:\/\/\S+)/, name: 'stock-pipeline' })
}

/** Workers AI's own request, through the pipe. */
export function pipeTarget(pipe: Child): Target {
  return {
    name: 'pipe', marker: WAI_TOKEN, pid: () => pipe.pid,
    request: content => ({
      url: `${pipe.url}/client/v4/accounts/emulator-account/ai/run/${WORKERS_MODEL}`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer emulator-token' },
      body: JSON.stringify({ messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content }], stream: true, max_tokens: 2048 }),
    }),
  }
}
