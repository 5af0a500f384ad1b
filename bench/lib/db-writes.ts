// Database writes per chat turn. PGlite lives inside the app process and cannot be observed from
// outside, so this phase starts the same build once on a throwaway PostgreSQL 15 with
// pg_stat_statements and counts, over K turns, the writing statements, the transactions and the
// rows changed. Two unpaced reply lengths show whether anything grows with the number of tokens;
// a paced reply shows what grows with the seconds an answer streams (its checkpoints).
import postgres from 'postgres'
import { controlPostgres, startPostgres } from '../../harness/postgres.ts'
import { signUp } from '../../harness/api-client.ts'
import { startApp } from './app.ts'
import { runStream, type Target } from './load.ts'
import { sleep } from '../../harness/measure.ts'
import { question } from './phases.ts'

/** A reply the emulator streams: `tokens` tokens, `tokenDelayMs` apart (0: unpaced). */
export interface Reply {
  tokens: number
  tokenDelayMs?: number
}

export interface WritesForLength {
  replyTokens: number
  tokenDelayMs: number
  turns: number
  /** Mean seconds from the request to the answer's last frame. */
  answerSeconds: number
  /** Checkpoint writes (the answer so far, while it streams) per turn. */
  checkpointsPerTurn: number
  /** INSERT/UPDATE/DELETE statements per turn (pg_stat_statements calls, inside functions too). */
  writeStatementsPerTurn: number
  /** Explicit BEGIN … COMMIT blocks per turn (pg_stat_statements). */
  transactionsPerTurn: number
  /** Statements the app sent per turn (round trips), reads included; a function call counts once. */
  statementsPerTurn: number
  /** Rows inserted + updated + deleted per turn (pg_stat_statements rows of the writes). */
  rowsChangedPerTurn: number
  /** Transactions that wrote (transaction ids assigned) per turn: BEGIN blocks and autocommitted writes. */
  writeTransactionsPerTurn: number
  breakdown: { query: string, perTurn: number }[]
}

export interface DbWritesResult {
  lengths: WritesForLength[]
  rateLimiter: string
  source: string
}

const WRITE = /^\s*(insert|update|delete|with\b[\s\S]*\b(insert|update|delete)\b)/i

/** The checkpoint statement: the answer and its thinking so far and the time, nothing else. */
const CHECKPOINT = /^update messages set content = \$1, reasoning = \$2, checkpoint_at = now\(\) where/i

export async function measureDbWrites(options: { emulatorUrl: string, serverEntry?: string, turns: number, replies: Reply[] }): Promise<DbWritesResult> {
  const pg = await startPostgres()
  let app: Awaited<ReturnType<typeof startApp>> | undefined
  let sql: postgres.Sql | undefined
  try {
    // pg_stat_statements needs a preload and a restart.
    sql = postgres(pg.url, { max: 1, onnotice: () => {} })
    await sql`alter system set shared_preload_libraries = 'pg_stat_statements'`
    await sql.end()
    controlPostgres(pg.cluster, 'stop')
    controlPostgres(pg.cluster, 'start')
    sql = postgres(pg.url, { max: 1, onnotice: () => {} })
    await sql`create extension if not exists pg_stat_statements`
    // 'all': the statements inside the start_turn function count too (known once loaded).
    await sql`alter system set pg_stat_statements.track = 'all'`
    await sql`select pg_reload_conf()`

    // The rate limiter stays at its default (it writes to the database in production too).
    app = await startApp({ emulatorUrl: options.emulatorUrl, serverEntry: options.serverEntry, databaseUrl: pg.url, env: { CHAT_RATE_LIMIT_PER_MINUTE: undefined } })
    const appUrl = app.url
    const lengths: WritesForLength[] = []
    for (const { tokens, tokenDelayMs = 0 } of options.replies) {
      const user = await signUp(appUrl)
      const chat = await user.createChat('db writes')
      const target: Target = {
        name: 'app',
        marker: Buffer.from('"type":"text-delta"'),
        pid: () => app!.pid,
        request: content => ({
          url: `${appUrl}/api/ai/cloudflare/llama-3.3-70b-instruct-fp8-fast/chat?chat_id=${chat.id}`,
          headers: { 'content-type': 'application/json', cookie: user.cookie },
          body: JSON.stringify({ messages: [{ role: 'user', content }] }),
        }),
      }
      const db = await sql`select current_database() as name`
      const dbName = db[0]!.name as string
      await sql`select pg_stat_statements_reset()`
      // Every transaction that writes is assigned a transaction id; read-only ones are not.
      const q = sql
      const nextXid = async () => Number((await q`select pg_snapshot_xmax(pg_current_snapshot())::text as x`)[0]!.x)
      const xid0 = await nextXid()
      let answerMs = 0
      for (let i = 0; i < options.turns; i++) {
        const r = await runStream(target, question({ tokens, tokenDelayMs }, `Turn ${i}`), 0)
        if (r.error || !r.complete || r.frames !== tokens) throw new Error(`db-writes turn failed: ${r.error ?? `${r.frames}/${tokens} frames`}`)
        answerMs += r.totalMs
      }
      await sleep(300) // the answer is stored before the last frame, but be safe
      const xid1 = await nextXid()
      const statements = await sql`
        select query, calls::int as calls, rows::int as rows, toplevel from pg_stat_statements
        where dbid = (select oid from pg_database where datname = ${dbName})
          and query not ilike '%pg_stat%' and query not ilike '%pg_database%' and query not ilike '%pg_current_snapshot%' and query not ilike '%current_database%'`
      const turns = options.turns
      let writes = 0
      let begins = 0
      let all = 0
      let rows = 0
      let checkpoints = 0
      const breakdown: { query: string, perTurn: number }[] = []
      for (const s of statements) {
        const q = String(s.query).replace(/\s+/g, ' ').trim()
        const calls = Number(s.calls)
        if (s.toplevel) all += calls
        if (/^begin/i.test(q)) begins += calls
        if (WRITE.test(q)) {
          writes += calls
          if (CHECKPOINT.test(q)) checkpoints += calls
          rows += Number(s.rows)
          breakdown.push({ query: q.length > 110 ? `${q.slice(0, 107)}…` : q, perTurn: calls / turns })
        }
      }
      breakdown.sort((a, b) => b.perTurn - a.perTurn)
      lengths.push({
        replyTokens: tokens,
        tokenDelayMs,
        turns,
        answerSeconds: answerMs / turns / 1000,
        checkpointsPerTurn: checkpoints / turns,
        writeStatementsPerTurn: writes / turns,
        transactionsPerTurn: begins / turns,
        statementsPerTurn: all / turns,
        rowsChangedPerTurn: rows / turns,
        writeTransactionsPerTurn: (xid1 - xid0) / turns,
        breakdown,
      })
    }
    return { lengths, rateLimiter: 'default (CHAT_RATE_LIMIT_PER_MINUTE unset)', source: 'PostgreSQL 15: pg_stat_statements (statements, rows) and transaction ids assigned (write transactions)' }
  }
  finally {
    await sql?.end({ timeout: 1 }).catch(() => {})
    await app?.stop()
    pg.stop()
  }
}
