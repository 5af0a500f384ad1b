import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/connect.ts'
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
 * Registers a generation so `POST /api/generations/:id/stop` can end it from any request, not
 * only by the client closing its connection (unreliable on Workers and behind some proxies).
 * `done` unregisters it.
 */
export async function registerGeneration(userId: number, stop: () => void): Promise<{ id: string, done: () => void }> {
  const id = randomUUID()
  if (ON_WORKERS) {
    // A Worker cannot hold a LISTEN connection open between requests: it polls instead.
    const unwatch = watchForStop(await useDb(), id, userId, stop)
    running.set(id, { userId, stop })
    return {
      id,
      done: () => {
        running.delete(id)
        unwatch()
      },
    }
  }
  listening ??= listenForRemoteStops().catch(() => {
    listening = undefined
  })
  running.set(id, { userId, stop })
  return { id, done: () => running.delete(id) }
}

/**
 * Stops generation `id` of `userId`: 'stopped' when it ran here; 'forwarded' when it was passed
 * to the other instances (NOTIFY on Node, the generation_stops table on Workers, where the
 * stop can land in another isolate); 'unknown' when there is nobody else to ask.
 */
export async function stopGeneration(userId: number, id: string): Promise<'stopped' | 'forwarded' | 'unknown'> {
  if (!ON_WORKERS) {
    const generation = running.get(id)
    if (generation?.userId === userId) {
      generation.stop()
      return 'stopped'
    }
  }
  const connection = await useDbConnection()
  if (ON_WORKERS) {
    // Bounded per user: a flood of stops for made-up ids cannot grow the table.
    await connection.db.execute(sql`
      insert into generation_stops (id, user_id)
      select ${id}, ${userId}
      where (select count(*) from generation_stops where user_id = ${userId} and created_at > now() - make_interval(secs => ${STOP_REQUEST_TTL_SECONDS})) < ${PENDING_STOPS_PER_USER}
      on conflict do nothing`)
    pruneExpiredRows(connection.db)
    return 'forwarded'
  }
  if (!connection.notify) return 'unknown'
  await connection.notify(CHANNEL, `${id}:${userId}`)
  return 'forwarded'
}

/** Stop requests one user may have waiting at once (on Workers); each waits STOP_REQUEST_TTL_SECONDS at most. */
const PENDING_STOPS_PER_USER = 10

/** How often a generation on Workers looks for a stop request. */
const STOP_POLL_MS = 500

/**
 * On Workers: polls for a stop request of generation `id` on the request's own connection, and
 * calls `stop` when one is found. Returns the function that ends the polling.
 */
function watchForStop(db: Database, id: string, userId: number, stop: () => void): () => void {
  const { generationStops } = tables
  const timer = setInterval(async () => {
    const found = await db.delete(generationStops)
      .where(and(eq(generationStops.id, id), eq(generationStops.userId, userId)))
      .returning({ id: generationStops.id })
      .catch(() => [])
    if (found.length) stop()
  }, STOP_POLL_MS)
  return () => clearInterval(timer)
}
