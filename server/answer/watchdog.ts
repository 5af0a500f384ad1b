/** The two deadlines of a generation: its first token, and each token after it. */
export type Deadline = 'first-token' | 'idle'

export interface Watchdog {
  /** Starts the timer for `deadline`; called again for the same deadline, restarts it. */
  arm: (deadline: Deadline, ms: number) => void
  clear: () => void
  /** The deadline that ran out, if one did. */
  readonly expired: Deadline | undefined
}

/**
 * One timer for a generation's deadlines. When the armed one runs out, `onExpire` is called
 * with its name.
 *
 * @example const watchdog = createWatchdog(deadline => upstream.abort(deadline)); watchdog.arm('idle', 30_000)
 */
export function createWatchdog(onExpire: (deadline: Deadline) => void): Watchdog {
  let timer: ReturnType<typeof setTimeout> | undefined
  let armed: Deadline | undefined
  let expired: Deadline | undefined
  return {
    arm(deadline, ms) {
      // Re-armed for every token: restarting Node's timer in place costs far less than a new one.
      if (armed === deadline && typeof timer === 'object' && 'refresh' in timer) {
        timer.refresh()
        return
      }
      clearTimeout(timer)
      armed = deadline
      timer = setTimeout(() => {
        expired = deadline
        onExpire(deadline)
      }, ms)
    },
    clear: () => clearTimeout(timer),
    get expired() {
      return expired
    },
  }
}
