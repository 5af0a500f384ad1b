import { sql, type SQL } from 'drizzle-orm'
import { FREE_DAILY_NEURONS, NEURON_PRICE_USD, type ModelUsage, type UsagePeriod, type UsageReport } from '#shared/contract'
import type { Database } from '../db/connect.ts'

/** Today in UTC, as PostgreSQL computes it: every instance counts the same day. */
export const UTC_TODAY = sql`(now() at time zone 'utc')::date`

/** One answer's use of Workers AI, as added to the user's day. */
export interface AnswerUsage {
  userId: number
  model: string
  promptTokens: number
  completionTokens: number
  neurons: number
}

/**
 * The statement that adds an answer to its user's day and model (`daily_usage`), and remembers
 * the model as the user's last used. Written as a data-modifying `with` item, so that storing a
 * saved chat's answer does it in the same statement; the day is added to only `when` it holds.
 * The user's row is written after the day's row (`used` reads `spent`), as every other statement
 * that writes both does (the answer's size, added by a trigger, comes last): two answers of one
 * user storing at once wait for each other instead of deadlocking.
 */
export function usageWrites(usage: AnswerUsage, when: SQL = sql`true`): SQL {
  return sql`
    spent as (
      insert into daily_usage (user_id, day, model, answers, prompt_tokens, completion_tokens, neurons)
      select ${usage.userId}, ${UTC_TODAY}, ${usage.model}, 1, ${usage.promptTokens}, ${usage.completionTokens}, ${usage.neurons}
      where ${when}
      on conflict (user_id, day, model) do update set
        answers = daily_usage.answers + 1,
        prompt_tokens = daily_usage.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = daily_usage.completion_tokens + excluded.completion_tokens,
        neurons = daily_usage.neurons + excluded.neurons
      returning 1
    ),
    used as (
      update users set last_model = ${usage.model}
      where id = ${usage.userId} and last_model is distinct from ${usage.model} and exists (select 1 from spent)
    )`
}

/**
 * Adds a playground answer to its user's day: it is stored nowhere else, and it cost the same.
 * `db` is the connection taken when the turn began (Workers).
 */
export async function recordUsage(usage: AnswerUsage, db?: Database): Promise<void> {
  db ??= await useDb()
  await db.execute(sql`with ${usageWrites(usage)} select 1`)
}

/**
 * The Neurons the user has spent today, as a column of the statement that reads their session
 * (the chat endpoint checks the daily cap without a statement of its own).
 */
export const neuronsTodayColumn = sql<number>`(select coalesce(sum(daily_usage.neurons), 0)::float8 from daily_usage where daily_usage.user_id = users.id and daily_usage.day = ${UTC_TODAY})`

interface UsageRow {
  today_date: string | Date
  month_start: string | Date
  day: string | Date | null
  model: string | null
  answers: number | string
  prompt_tokens: number | string
  completion_tokens: number | string
  neurons: number | string
}

/** The user's use today and this month (UTC), per model. */
export async function usageReport(userId: number, dailyNeuronLimit: number, resetsAt: Date): Promise<Omit<UsageReport, 'feedback'>> {
  const rows = await queryRows<UsageRow>(await useDb(), sql`
    with period as (select ${UTC_TODAY} as today_date, date_trunc('month', ${UTC_TODAY}::timestamp)::date as month_start)
    select period.today_date, period.month_start, u.day, u.model, u.answers, u.prompt_tokens, u.completion_tokens, u.neurons
    from period left join daily_usage u on u.user_id = ${userId} and u.day >= period.month_start`)
  const today = dayString(rows[0]!.today_date)
  const used = rows.filter(row => row.model !== null)
  return {
    today: period(today, used.filter(row => dayString(row.day!) === today)),
    month: period(dayString(rows[0]!.month_start), used),
    freeDailyNeurons: FREE_DAILY_NEURONS,
    dailyNeuronLimit: dailyNeuronLimit > 0 ? dailyNeuronLimit : null,
    resetsAt: resetsAt.toISOString(),
  }
}

function period(from: string, rows: UsageRow[]): UsagePeriod {
  const byModel = new Map<string, ModelUsage>()
  for (const row of rows) {
    const entry = byModel.get(row.model!) ?? { model: row.model!, answers: 0, promptTokens: 0, completionTokens: 0, neurons: 0, usd: 0 }
    entry.answers += Number(row.answers)
    entry.promptTokens += Number(row.prompt_tokens)
    entry.completionTokens += Number(row.completion_tokens)
    entry.neurons += Number(row.neurons)
    entry.usd = entry.neurons * NEURON_PRICE_USD
    byModel.set(row.model!, entry)
  }
  const models = [...byModel.values()].sort((a, b) => b.neurons - a.neurons)
  const total = { answers: 0, promptTokens: 0, completionTokens: 0, neurons: 0, usd: 0 }
  for (const entry of models) {
    total.answers += entry.answers
    total.promptTokens += entry.promptTokens
    total.completionTokens += entry.completionTokens
    total.neurons += entry.neurons
  }
  total.usd = total.neurons * NEURON_PRICE_USD
  return { from, models, total }
}

/** A `date` column as YYYY-MM-DD (postgres-js gives a Date at midnight UTC, PGlite may give either). */
function dayString(value: string | Date): string {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10)
}
