import { and, desc, eq, sql } from 'drizzle-orm'
import { chatTitleFrom, DEFAULT_CHAT_TITLE, ERRORS, LIMITS, type ChatMessage, type ChatSummary, type ChatWithMessages, type FeedbackRating, type StoredMessage, type TitleSource } from '#shared/contract'

const { chats, messages, users } = tables

export const chatColumns = { id: chats.id, title: chats.title, model: chats.model, createdAt: chats.createdAt, updatedAt: chats.updatedAt, pinned: chats.pinned, titleSource: chats.titleSource }

export interface SummaryRow {
  id: number
  title: string
  model: string | null
  createdAt: Date
  updatedAt: Date
  pinned: boolean
  titleSource: TitleSource
  answering?: boolean
  unread?: boolean
}

export function toSummary(row: SummaryRow): ChatSummary {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    answering: row.answering === true,
    unread: row.unread === true,
    pinned: row.pinned,
    titleSource: row.titleSource,
  }
}

/**
 * Whether a chat has an answer generating (a live `streaming` one), and one that ended while
 * nobody was reading it (unread: a dead `streaming` one counts, as the error it will be).
 */
export function answerFlags(staleMs: number) {
  const live = sql`m.checkpoint_at >= ${databaseTimeAgo(staleMs)}`
  return {
    answering: sql<boolean>`exists (select 1 from messages m where m.chat_id = chats.id and m.status = 'streaming' and ${live})`,
    unread: sql<boolean>`exists (select 1 from messages m where m.chat_id = chats.id and not m.seen and (m.status <> 'streaming' or not (${live})))`,
  }
}

/**
 * A chat's last activity: its own updated_at (created, renamed, truncated) or its newest
 * message, whichever is later. Derived, so a chat turn does not have to write the chat row.
 * `chats.id` is spelled out: in a select list drizzle leaves column names unqualified, and inside
 * the subquery a bare "id" would be the message's.
 */
export const lastActivity = sql<Date>`greatest(${chats.updatedAt}, coalesce((select max(m.created_at) from messages m where m.chat_id = chats.id), ${chats.updatedAt}))`.mapWith(chats.updatedAt)

/** The user's chats, pinned ones first, then most recently active first. */
export async function listChats(userId: number): Promise<ChatSummary[]> {
  const db = await useDb()
  const rows = await db.select({ ...chatColumns, updatedAt: lastActivity, ...answerFlags(serverConfig().answerStaleMs) })
    .from(chats).where(eq(chats.userId, userId)).orderBy(desc(chats.pinned), desc(lastActivity), desc(chats.id))
  return rows.map(toSummary)
}

/**
 * Creates a chat, optionally with a conversation already in it (the playground's "Save as chat").
 * Without a model it starts with the user's last used one. 403 at MAX_CHATS_PER_USER chats, or
 * when the conversation would take the user past USER_STORAGE_QUOTA_MB.
 */
export async function createChat(userId: number, title: string | undefined, history: ChatMessage[] = [], model?: string): Promise<ChatSummary> {
  const { chatsPerUser, storageBytesPerUser } = serverConfig().limits
  const bytes = history.reduce((sum, message) => sum + Buffer.byteLength(message.content), 0)
  const db = await useDb()
  return db.transaction(async (tx) => {
    // The user's row is locked: two creates at once cannot both pass the checks.
    const [usage] = await queryRows<{ stored_bytes: number | string, chats: number }>(tx, sql`
      select stored_bytes, (select count(*) from chats where user_id = ${userId})::integer as chats
      from users where id = ${userId} for update`)
    if (chatsPerUser > 0 && usage!.chats >= chatsPerUser) throw apiError(403, ERRORS.tooManyChats)
    if (storageBytesPerUser > 0 && bytes > 0 && Number(usage!.stored_bytes) + bytes > storageBytesPerUser) throw apiError(403, ERRORS.storageQuotaReached)
    const firstUser = history.find(message => message.role === 'user')
    const [chat] = await tx.insert(chats)
      .values({
        userId,
        title: title ?? (firstUser ? chatTitleFrom(firstUser.content) : DEFAULT_CHAT_TITLE),
        titleSource: title === undefined ? 'fallback' : 'user',
        model: model ?? sql`(select ${users.lastModel} from ${users} where ${users.id} = ${userId})`,
      })
      .returning(chatColumns)
    if (history.length) {
      // Ids taken first, so each message can name the one it follows.
      const ids = (await queryRows<{ id: number }>(tx, sql`select nextval(pg_get_serial_sequence('messages', 'id'))::integer as id from generate_series(1, ${history.length})`))
        .map(row => row.id).sort((a, b) => a - b)
      await tx.insert(messages).values(history.map((message, at) => ({ id: ids[at], chatId: chat!.id, role: message.role, content: message.content, parentId: ids[at - 1] ?? null })))
    }
    return toSummary(chat!)
  })
}

interface MessageRow {
  id: number
  role: StoredMessage['role']
  content: string
  status: StoredMessage['status']
  generation_id: string | null
  model: string | null
  prompt_tokens: number | null
  completion_tokens: number | null
  neurons: number | null
  cost_usd: number | null
  reasoning: string | null
  reasoning_ms: number | null
  finish_reason: StoredMessage['finishReason']
  created_at: string | Date
  feedback_rating: FeedbackRating | null
  feedback_comment: string | null
  parent_id: number | null
  sibling_ids: number[]
  /** Rows the page query looked at: one more than a page holds when there are more. */
  scanned: number
}

/**
 * A chat and one page of its active path's messages (each with its versions): the newest ones
 * before message `before` (or the newest of all), up to LIMITS.chatPageBytes of text and
 * LIMITS.chatPageMessages messages, at least one. Bounded whatever the chat's size, so neither this answer nor the page rendered from it can
 * grow with it. An answer still generating shows as `streaming` with its last checkpoint (and its
 * generation id, for the stop route). Opening a chat marks its ended answers as seen.
 * 404 for a missing or foreign chat.
 */
export async function getChatWithMessages(userId: number, chatId: number, before?: number): Promise<ChatWithMessages> {
  const db = await useDb()
  const { answerStaleMs } = serverConfig()
  const [chat] = await db.select({ ...chatColumns, updatedAt: lastActivity, ...answerFlags(answerStaleMs) }).from(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId)))
  if (!chat) throw apiError(404, ERRORS.chatNotFound)
  // octet_length reads a stored value's size without fetching it: messages past the budget cost nothing.
  const [rows] = await Promise.all([
    queryRows<MessageRow>(db, sql`
      select id, role, content, presented as status, generation_id, model, prompt_tokens, completion_tokens, neurons, cost_usd, reasoning, reasoning_ms, finish_reason, created_at, scanned,
        parent_id, ${siblingIds(chatId)} as sibling_ids, f.rating as feedback_rating, f.comment as feedback_comment from (
        select m.*, row_number() over (order by m.id desc) as position,
          sum(octet_length(m.content)) over (order by m.id desc) as running,
          count(*) over () as scanned
        from (
          select *, ${presentedStatus(answerStaleMs)} as presented from messages
          where chat_id = ${chatId} and active ${before === undefined ? sql`` : sql`and id < ${before}`}
          order by id desc limit ${LIMITS.chatPageMessages + 1}
        ) m
      ) page left join message_feedback f on f.message_id = page.id
      where position <= ${LIMITS.chatPageMessages} and (position = 1 or running <= ${LIMITS.chatPageBytes})
      order by id asc`),
    chat.unread
      ? db.update(messages).set({ seen: true })
          .where(and(eq(messages.chatId, chatId), eq(messages.seen, false), sql`(messages.status <> 'streaming' or messages.checkpoint_at < ${databaseTimeAgo(answerStaleMs)})`))
      : undefined,
  ])
  const files = await imagesOfMessages(rows.filter(row => row.role === 'user').map(row => row.id))
  return {
    ...toSummary({ ...chat, unread: false }),
    hasEarlier: rows.length > 0 && rows.length < Number(rows[0]!.scanned),
    messages: rows.map((row): StoredMessage => ({
      id: row.id,
      role: row.role,
      content: row.content,
      status: row.status,
      ...(row.status === 'streaming' && row.generation_id ? { generationId: row.generation_id } : {}),
      model: row.model,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      neurons: row.neurons,
      costUsd: row.cost_usd,
      reasoning: row.reasoning,
      reasoningMs: row.reasoning_ms,
      finishReason: row.finish_reason,
      createdAt: new Date(row.created_at).toISOString(),
      parentId: row.parent_id,
      siblings: siblingsOf(row.id, row.sibling_ids),
      ...(row.role === 'assistant' ? { feedback: row.feedback_rating && { rating: row.feedback_rating, comment: row.feedback_comment } } : {}),
      ...(files.has(row.id) ? { files: files.get(row.id) } : {}),
    })),
  }
}

/**
 * Renames a chat (a title of the user's, which no generated title replaces), changes the model
 * its next turn uses (which also becomes the user's last used model), pins or unpins it.
 */
export async function updateChat(userId: number, chatId: number, change: { title?: string, model?: string, pinned?: boolean }): Promise<ChatSummary> {
  const db = await useDb()
  const [chat] = await db.update(chats).set({ ...change, ...(change.title === undefined ? {} : { updatedAt: new Date(), titleSource: 'user' as const }) })
    .where(and(eq(chats.id, chatId), eq(chats.userId, userId))).returning(chatColumns)
  if (!chat) throw apiError(404, ERRORS.chatNotFound)
  if (change.model !== undefined) await db.update(users).set({ lastModel: change.model }).where(eq(users.id, userId))
  return toSummary(chat)
}

export async function deleteChat(userId: number, chatId: number): Promise<void> {
  const db = await useDb()
  const deleted = await db.delete(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId))).returning({ id: chats.id })
  if (!deleted.length) throw apiError(404, ERRORS.chatNotFound)
}
