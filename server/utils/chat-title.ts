import { sql } from 'drizzle-orm'
import { cleanTitle, findLiveModel, SMALL_FAST_MODEL_NAME, TITLE_INSTRUCTIONS } from '#shared/contract'
import { startWorkersAiAnswer, workersAiInputs, type WorkersAiSettings } from '../workers-ai/index.ts'

/** A title takes a few tokens; a model that rambles is cut off and cleaned. */
const TITLE_MAX_TOKENS = 24
/** The title is made from the start of the question: the rest adds cost, not a better title. */
const QUESTION_CHARS = 2000
/** Longer than this and the chat keeps its fallback title. */
const TITLE_TIMEOUT_MS = 20_000

/**
 * Names a chat after its first complete answer, in the background: the catalogue's small fast
 * model is asked for a short title of the question, and the title replaces the fallback one
 * only if it still is the fallback (compare-and-set in SQL, so a rename racing it wins).
 * `keepAlive` keeps a Worker's isolate running until it is done. A failure leaves the fallback
 * title and logs one line without details.
 *
 * @example nameChat(settings, db, chatId, question, work => event.waitUntil(work))
 */
export function nameChat(settings: WorkersAiSettings, db: Promise<Database>, chatId: number, question: string, keepAlive: (work: Promise<unknown>) => void): void {
  const work = askTitle(settings, question)
    .then(async (title) => {
      if (!title) return logUntitled('the model gave no usable title')
      await storeGeneratedTitle(await db, chatId, title)
    })
    .catch(error => logUntitled(reasonOf(error)))
  keepAlive(work)
}

async function askTitle(settings: WorkersAiSettings, question: string): Promise<string | undefined> {
  const model = findLiveModel(SMALL_FAST_MODEL_NAME)!
  const start = startWorkersAiAnswer(settings, {
    model: model.configuration.model,
    inputs: workersAiInputs(model, { max_tokens: TITLE_MAX_TOKENS }),
    system: TITLE_INSTRUCTIONS,
    messages: [{ role: 'user', content: question.slice(0, QUESTION_CHARS) }],
  })
  const parts = await start(AbortSignal.timeout(TITLE_TIMEOUT_MS))
  let text = ''
  for (let part = await parts.next(); !part.done; part = await parts.next()) {
    if (part.value.type === 'text-delta') text += part.value.delta
  }
  return cleanTitle(text)
}

/** Writes a generated title over the fallback one, and only over it. */
export async function storeGeneratedTitle(db: Database, chatId: number, title: string): Promise<boolean> {
  const rows = await queryRows<{ id: number }>(db, sql`
    update chats set title = ${title}, title_source = 'generated' where id = ${chatId} and title_source = 'fallback' returning id`)
  return rows.length > 0
}

function reasonOf(error: unknown): string {
  const status = (error as { statusCode?: unknown }).statusCode
  if (typeof status === 'number') return `Workers AI answered ${status}`
  return error instanceof Error ? error.name : 'unknown error'
}

function logUntitled(reason: string): void {
  console.warn(`[titles] a chat keeps its first message as title: ${reason}`)
}
