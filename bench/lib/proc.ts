// Process helpers for the benchmark: spawning Node children that print their URL, and the open
// files limit. CPU time and memory of a process: harness/measure.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Soft limit of open files for this process. */
export function openFilesLimit(): number {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : Number.NaN
  }
  catch {
    return Number.NaN
  }
}

export interface Child {
  process: ChildProcess
  pid: number
  url: string
  logs: () => string
  stop: () => Promise<void>
}

/**
 * Spawns `node [nodeArgs] script [args]` and waits until a stdout line matches `ready`
 * (its first capture group is the URL).
 */
export async function spawnNode(script: string, args: string[], options: {
  nodeArgs?: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  ready: RegExp
  timeoutMs?: number
  name: string
}): Promise<Child> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start in time:\n${output}`)), options.timeoutMs ?? 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk
      if (output.length > 200_000) output = output.slice(-100_000)
      const m = options.ready.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve(m[1] ?? '')
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${options.name} exited with ${code}:\n${output}`))
    })
  })
  return { process: child, pid: child.pid!, url, logs: () => output, stop: () => stopChild(child) }
}

/** SIGINT (so --cpu-prof profiles get written), then SIGKILL after a grace period. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT', graceMs = 8000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  await Promise.race([exited, new Promise(resolve => setTimeout(resolve, graceMs))])
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL')
    await exited
  }
}

