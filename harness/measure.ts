// Measuring helpers for the tests and the benchmarks: waiting, percentiles, and a process's CPU
// time and memory from /proc (Linux only).
import { readFileSync } from 'node:fs'

export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

/** The `p`-th percentile (nearest rank) of the finite values; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  const sorted = values.filter(value => Number.isFinite(value)).sort((a, b) => a - b)
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export function median(values: number[]): number {
  return percentile(values, 50)
}

const CLK_TCK = 100 // sysconf(_SC_CLK_TCK) on Linux x86/arm is 100

/** utime + stime of a process (all its threads), in microseconds; NaN if it is gone. */
export function cpuMicros(pid: number | undefined): number {
  if (!pid) return Number.NaN
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(rest[11]) // field 14
    const stime = Number(rest[12]) // field 15
    return ((utime + stime) * 1e6) / CLK_TCK
  }
  catch {
    return Number.NaN
  }
}

/** Resident memory (VmRSS) of a process in KiB; NaN if it is gone. */
export function rssKiB(pid: number | undefined): number {
  if (!pid) return Number.NaN
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : Number.NaN
  }
  catch {
    return Number.NaN
  }
}
