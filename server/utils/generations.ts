import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/connect.ts'
import type { LiveAnswer } from '../answer/live-answer.ts'
import { randomUUID } from 'node:crypto'

interface Running {
  userId: number
  /** The saved chat it answers; none in the playground. */
  chatId?: number
  stop: () => void
  /** Its answer, for resumes on this instance; settles at the first token (undefined: it never began). */
  answer?: Promise<LiveAnswer | undefined>
}

/** Generations streaming in this process, by id. */
const running = new Map<string, Running>()
/** The generation answering each saved chat in this process, by chat id. */
const answering = new Map<number, string>()
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

export interface RegisteredGeneration {
  id: string
  /** Lets requests on this instance resume the answer: `answer` settles at its first token. */
  publish: (answer: Promise<LiveAnswer | undefined>) => void
  /** Unregisters it, once its answer has ended. */
  done: () => void
}

/**
 * Registers a generation so `POST /api/generations/:id/stop` can end it from any request, and a
 * resume on this instance can read its answer (`chatId`: the saved chat it answers).
 */
export async function registerGeneration(userId: number, stop: () => void, chatId?: number): Promise<RegisteredGeneration> {
  const id = randomUUID()
  const generation: Running = { userId, chatId, stop }
  // A Worker cannot hold a LISTEN connection open between requests: it polls instead.
  const unwatch = ON_WORKERS ? watchForStop(await useDb(), id, userId, stop) : undefined
  if (!ON_WORKERS) {
    listening ??= listenForRemoteStops().catch(() => {
      listening = undefined
    })
  }
  running.set(id, generation)
  // The chat's earlier generation, answering until this turn's question has superseded or joined it.
  const earlier = chatId === undefined ? undefined : answering.get(chatId)
  if (chatId !== undefined) answering.set(chatId, id)
  return {
    id,
    publish: (answer) => {
      generation.answer = answer
    },
    done: () => {
      running.delete(id)
      if (chatId !== undefined && answering.get(chatId) === id) {
        if (earlier && running.has(earlier)) answering.set(chatId, earlier)
        else answering.delete(chatId)
      }
      unwatch?.()
    },
  }
}

/** The answer this instance generates in chat `chatId` of `userId`, if it generates one. */
export function answerGeneratedHere(userId: number, chatId: number): Promise<LiveAnswer | undefined> | undefined {
  const generation = running.get(answering.get(chatId) ?? '')
  return generation?.userId === userId ? generation.answer ?? Promise.resolve(undefined) : undefined
}

/**
 * How many answers of `userId` this process generates (saved chats and playground), but the one
 * in chat `exceptChatId`, which a new question there stops. A chat counts once: the answer a
 * newer question superseded is still storing its end beside its successor for a moment.
 */
export function generationsHere(userId: number, exceptChatId?: number): number {
  const chats = new Set<number>()
  let playground = 0
  for (const generation of running.values()) {
    if (generation.userId !== userId || (exceptChatId !== undefined && generation.chatId === exceptChatId)) continue
    if (generation.chatId === undefined) playground++
    else chats.add(generation.chatId)
  }
  return playground + chats.size
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
