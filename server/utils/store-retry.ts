import { isDatabaseUnavailable, isLostRace } from './database-errors.ts'

/** Bytes of answers this instance keeps in memory because the database could not take them. */
let keptBytes = 0

/**
 * Runs `store` (storing an answer), again at once when it lost a race (throughLostRaces); when
 * the database is unreachable, keeps the answer and tries again with backoff for at most
 * CHAT_STORE_RETRY_MS, so that a short outage loses nothing. At most CHAT_STORE_RETRY_MAX_BYTES
 * of such answers are kept per instance: past it, or for any other error, the failure is thrown
 * at once. `pending` is called once, when the first try fails.
 *
 * @example const id = await storeWhileDatabaseAway(() => storeAnswer(db, id, generationId, answer), answer.content.length * 2, pending)
 */
export async function storeWhileDatabaseAway<T>(store: () => Promise<T>, bytes: number, pending: () => void): Promise<T> {
  const write = () => throughLostRaces(store)
  try {
    return await write()
  }
  catch (error) {
    const { storeRetryMs, storeRetryMaxBytes } = serverConfig()
    if (!isDatabaseUnavailable(error) || !(storeRetryMs > 0) || keptBytes + bytes > storeRetryMaxBytes) throw error
  }
  const deadline = Date.now() + serverConfig().storeRetryMs
  keptBytes += bytes
  pending()
  try {
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      await new Promise(resolve => setTimeout(resolve, Math.max(0, Math.min(delay, deadline - Date.now()))))
      try {
        return await write()
      }
      catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() >= deadline) throw error
      }
    }
  }
  finally {
    keptBytes -= bytes
  }
}

/**
 * Runs `write` again, after a short random pause, when it lost a race with another statement
 * (a deadlock, a serialization failure): PostgreSQL rolled it back, and the next try meets
 * another interleaving. A few tries; a conflict that persists is thrown.
 */
export async function throughLostRaces<T>(write: () => Promise<T>, tries = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write()
    }
    catch (error) {
      if (attempt >= tries || !isLostRace(error)) throw error
      await new Promise(resolve => setTimeout(resolve, 5 + Math.random() * 20 * attempt))
    }
  }
}

/** Backoff between tries: short at first (most outages are a restart), then every 2 s. */
const RETRY_FIRST_MS = 250
const RETRY_MAX_MS = 2000
