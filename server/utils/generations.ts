import { randomUUID } from 'node:crypto'

interface Running {
  userId: number
  stop: () => void
}

/** Generations streaming in this process, by id. */
const running = new Map<string, Running>()
const CHANNEL = 'neptun_stop_generation'
let listening: Promise<void> | undefined

/**
 * Instances sharing a PostgreSQL database pass stop requests along with NOTIFY, so a stop that
 * lands on another instance than the stream still stops it.
 */
async function listenForRemoteStops(): Promise<void> {
  const connection = await useDbConnection()
  await connection.listen?.(CHANNEL, (payload) => {
    const [id, userId] = payload.split(':')
    const generation = running.get(id!)
    if (generation && generation.userId === Number(userId)) generation.stop()
  })
}

/**
 * Registers a generation so `POST /api/generations/:id/stop` can end it from any request,
 * not only by the client closing its connection (unreliable on Workers and behind some proxies).
 */
export function registerGeneration(userId: number, stop: () => void): { id: string, done: () => void } {
  // A Worker cannot hold a LISTEN connection open between requests: there the stop route only
  // reaches generations of the same isolate.
  if (!ON_WORKERS) listening ??= listenForRemoteStops().catch(() => {
    listening = undefined
  })
  const id = randomUUID()
  running.set(id, { userId, stop })
  return { id, done: () => running.delete(id) }
}

/**
 * Stops generation `id` of `userId`. True when it ran here and was stopped; false when it is
 * unknown here (then other instances are told, if there are any).
 */
export async function stopGeneration(userId: number, id: string): Promise<'stopped' | 'forwarded' | 'unknown'> {
  const generation = running.get(id)
  if (generation?.userId === userId) {
    generation.stop()
    return 'stopped'
  }
  const connection = await useDbConnection()
  if (!connection.notify) return 'unknown'
  await connection.notify(CHANNEL, `${id}:${userId}`)
  return 'forwarded'
}
