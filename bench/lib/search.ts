// Search in messages at scale: one user with many chats of many messages (1,000 × 50 in the full
// run), on a fresh PGlite, searched through GET /api/chats?q=. Each query's median wall time is
// set against the plain chat list (GET /api/chats, what the sidebar loads anyway) measured in the
// same run on the same server: the GIN index keeps a search near the list's cost, however many
// messages there are, where a scan would read them all.
import { signUp } from '../../harness/api-client.ts'
import { median } from '../../harness/measure.ts'
import { startApp } from './app.ts'

export interface SearchBenchResult {
  chats: number
  messagesPerChat: number
  /** Seconds it took to store the chats (POST /api/chats with their messages). */
  fillSeconds: number
  /** Median ms per request, by query; `list` is the baseline. */
  medianMs: Record<SearchQueryName, number>
  /** How many chats each search answered. */
  hits: Record<SearchQueryName, number>
}

export type SearchQueryName = 'list' | 'rare word' | 'common word' | 'two words' | 'title only'

/** A vocabulary of made-up words, so message text has the spread of real words without a corpus. */
function vocabulary(size: number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'da', 'fo', 'gu', 'pe', 'ri', 'tu']
  return Array.from({ length: size }, (_, i) => {
    let word = ''
    for (let n = i + syllables.length; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length]
    return word
  })
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a run is repeatable. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6D2B79F5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export async function measureSearch(options: { emulatorUrl: string, serverEntry: string, chats: number, messagesPerChat: number, runs: number }): Promise<SearchBenchResult> {
  const app = await startApp({
    emulatorUrl: options.emulatorUrl,
    serverEntry: options.serverEntry,
    env: { CHAT_CREATE_RATE_LIMIT_PER_MINUTE: '0', API_RATE_LIMIT_PER_MINUTE: '0', MAX_CHATS_PER_USER: '0', USER_STORAGE_QUOTA_MB: '0' },
  })
  try {
    const user = await signUp(app.url)
    const words = vocabulary(5000)
    const next = random(42)
    // Zipf-like: low indexes are common words, high ones rare.
    const pick = () => words[Math.floor(words.length * next() ** 3)]!
    const sentence = (length: number) => Array.from({ length }, pick).join(' ')
    const started = performance.now()
    const fill = async (index: number) => {
      const messages = Array.from({ length: options.messagesPerChat }, (_, m) => ({
        role: m % 2 ? 'assistant' as const : 'user' as const,
        content: `${sentence(m % 2 ? 60 : 15)}${index === Math.floor(options.chats / 2) && m === 7 ? ' quasarneedle' : ''}`,
      }))
      const res = await user.fetch('/api/chats', { method: 'POST', body: { title: `${sentence(4)}${index === 3 ? ' titlemarker' : ''}`, messages } })
      if (res.status !== 201) throw new Error(`storing chat ${index} failed: ${res.status} ${await res.text()}`)
    }
    for (let i = 0; i < options.chats; i += 8) await Promise.all(Array.from({ length: Math.min(8, options.chats - i) }, (_, k) => fill(i + k)))
    const fillSeconds = (performance.now() - started) / 1000

    const queries: Record<SearchQueryName, string | undefined> = {
      'list': undefined,
      'rare word': 'quasarneedle',
      // words[40]: about one message in ten has it.
      'common word': words[40]!,
      'two words': `${words[40]} ${words[300]}`,
      'title only': 'titlemarker',
    }
    const medianMs = {} as Record<SearchQueryName, number>
    const hits = {} as Record<SearchQueryName, number>
    const ask = async (q: string | undefined) => {
      const res = await user.fetch(q === undefined ? '/api/chats' : `/api/chats?q=${encodeURIComponent(q)}`)
      if (res.status !== 200) throw new Error(`GET /api/chats${q ? `?q=${q}` : ''}: ${res.status}`)
      return (await res.json() as unknown[]).length
    }
    for (const q of Object.values(queries)) await ask(q) // warm-up
    // Interleaved, so a noisy moment of the machine falls on every query alike.
    const samples = Object.fromEntries(Object.keys(queries).map(name => [name, [] as number[]])) as Record<SearchQueryName, number[]>
    for (let run = 0; run < options.runs; run++) {
      for (const [name, q] of Object.entries(queries) as [SearchQueryName, string | undefined][]) {
        const start = performance.now()
        hits[name] = await ask(q)
        samples[name].push(performance.now() - start)
      }
    }
    for (const name of Object.keys(queries) as SearchQueryName[]) medianMs[name] = median(samples[name])
    return { chats: options.chats, messagesPerChat: options.messagesPerChat, fillSeconds, medianMs, hits }
  }
  finally {
    await app.stop()
  }
}
