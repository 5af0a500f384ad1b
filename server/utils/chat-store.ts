import { and, desc, eq, gte, sql } from 'drizzle-orm'
import { chatTitleFrom, DEFAULT_CHAT_TITLE, ERRORS, LIMITS, type ChatMessage, type ChatSummary, type ChatWithMessages, type StoredMessage } from '#shared/contract'
import type { EndedAnswer } from '../answer/generation.ts'
import { usageWrites, type AnswerUsage } from './usage-store.ts'

const { chats, messages, users } = tables

const chatColumns = { id: chats.id, title: chats.title, model: chats.model, createdAt: chats.createdAt, updatedAt: chats.updatedAt }

function toSummary(row: { id: number, title: string, model: string | null, createdAt: Date, updatedAt: Date }): ChatSummary {
  return { id: row.id, title: row.title, model: row.model, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}

/**
 * A chat's last activity: its own updated_at (created, renamed, truncated) or its newest
 * message, whichever is later. Derived, so a chat turn does not have to write the chat row.
 * `chats.id` is spelled out: in a select list drizzle leaves column names unqualified, and inside
 * the subquery a bare "id" would be the message's.
 */
const lastActivity = sql<Date>`greatest(${chats.updatedAt}, coalesce((select max(m.created_at) from messages m where m.chat_id = chats.id), ${chats.updatedAt}))`.mapWith(chats.updatedAt)

/** The user's chats, most recently active first. */
export async function listChats(userId: number): Promise<ChatSummary[]> {
  const db = await useDb()
  const rows = await db.select({ ...chatColumns, updatedAt: lastActivity }).from(chats).where(eq(chats.userId, userId)).orderBy(desc(lastActivity), desc(chats.id))
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
        model: model ?? sql`(select ${users.lastModel} from ${users} where ${users.id} = ${userId})`,
      })
      .returning(chatColumns)
    if (history.length) {
      await tx.insert(messages).values(history.map(message => ({ chatId: chat!.id, role: message.role, content: message.content })))
    }
    return toSummary(chat!)
  })
}

interface MessageRow {
  id: number
  role: StoredMessage['role']
  content: string
  status: StoredMessage['status']
  model: string | null
  prompt_tokens: number | null
  completion_tokens: number | null
  neurons: number | null
  cost_usd: number | null
  reasoning: string | null
  reasoning_ms: number | null
  finish_reason: StoredMessage['finishReason']
  created_at: string | Date
  /** Rows the page query looked at: one more than a page holds when there are more. */
  seen: number
}

/**
 * A chat and one page of its messages: the newest ones before message `before` (or the newest of
 * all), up to LIMITS.chatPageBytes of text and LIMITS.chatPageMessages messages, at least one.
 * Bounded whatever the chat's size, so neither this answer nor the page rendered from it can
 * grow with it. 404 for a missing or foreign chat.
 */
export async function getChatWithMessages(userId: number, chatId: number, before?: number): Promise<ChatWithMessages> {
  const db = await useDb()
  const [chat] = await db.select({ ...chatColumns, updatedAt: lastActivity }).from(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId)))
  if (!chat) throw apiError(404, ERRORS.chatNotFound)
  // octet_length reads a stored value's size without fetching it: messages past the budget cost nothing.
  const rows = await queryRows<MessageRow>(db, sql`
    select id, role, content, status, model, prompt_tokens, completion_tokens, neurons, cost_usd, reasoning, reasoning_ms, finish_reason, created_at, seen from (
      select m.*, row_number() over (order by m.id desc) as position,
        sum(octet_length(m.content)) over (order by m.id desc) as running,
        count(*) over () as seen
      from (
        select * from messages where chat_id = ${chatId} ${before === undefined ? sql`` : sql`and id < ${before}`}
        order by id desc limit ${LIMITS.chatPageMessages + 1}
      ) m
    ) page
    where position <= ${LIMITS.chatPageMessages} and (position = 1 or running <= ${LIMITS.chatPageBytes})
    order by id asc`)
  return {
    ...toSummary(chat),
    hasEarlier: rows.length > 0 && rows.length < Number(rows[0]!.seen),
    messages: rows.map((row): StoredMessage => ({
      id: row.id,
      role: row.role,
      content: row.content,
      status: row.status,
      model: row.model,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      neurons: row.neurons,
      costUsd: row.cost_usd,
      reasoning: row.reasoning,
      reasoningMs: row.reasoning_ms,
      finishReason: row.finish_reason,
      createdAt: new Date(row.created_at).toISOString(),
    })),
  }
}

/**
 * Renames a chat, or changes the model its next turn uses (which also becomes the user's last
 * used model), or both.
 */
export async function updateChat(userId: number, chatId: number, change: { title?: string, model?: string }): Promise<ChatSummary> {
  const db = await useDb()
  const [chat] = await db.update(chats).set({ ...change, ...(change.title === undefined ? {} : { updatedAt: new Date() }) })
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

/**
 * Deletes message `fromId` and every later one of the chat (regenerate, edit and resend).
 * 404 for a foreign chat or a message that is not in it; nothing is deleted then.
 */
export async function truncateChat(userId: number, chatId: number, fromId: number): Promise<void> {
  const db = await useDb()
  await db.transaction(async (tx) => {
    const [owned] = await tx.select({ id: chats.id }).from(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId))).for('update')
    if (!owned) throw apiError(404, ERRORS.chatNotFound)
    const [message] = await tx.select({ id: messages.id }).from(messages).where(and(eq(messages.id, fromId), eq(messages.chatId, chatId)))
    if (!message) throw apiError(404, ERRORS.messageNotFound)
    await tx.delete(messages).where(and(eq(messages.chatId, chatId), gte(messages.id, fromId)))
    await tx.update(chats).set({ updatedAt: new Date() }).where(eq(chats.id, chatId))
  })
}

/** A turn's stored user message, and the id its answer will be stored under. */
export interface TurnIds {
  userMessageId: number
  /**
   * Taken from the messages sequence now, so the answer sorts right after its question even
   * if it is stored after a later turn began (a stop, then an immediate new question).
   */
  assistantMessageId: number
}

/**
 * Stores the user's message before the model is called, so a failed call loses nothing.
 * A retry of the same message with no answer after it reuses the stored row instead of
 * writing it twice; the chat row is locked so concurrent retries cannot both insert.
 * The chat's first message also names it, if it still has the default title.
 * One round trip: the steps live in the `store_user_message` function (migration 0006).
 * 404 if the chat is not the user's; 403 when a new message would take the user past
 * USER_STORAGE_QUOTA_MB (the answer to an accepted question is always kept).
 */
export async function storeUserMessage(userId: number, chatId: number, content: string): Promise<TurnIds> {
  const [row] = await queryRows<{ user_message_id: number, assistant_message_id: number, over_quota: boolean }>(await useDb(), sql`
    select user_message_id, assistant_message_id, over_quota
    from store_user_message(${userId}, ${chatId}, ${content}, ${chatTitleFrom(content)}, ${DEFAULT_CHAT_TITLE}, ${serverConfig().limits.storageBytesPerUser})`)
  if (!row) throw apiError(404, ERRORS.chatNotFound)
  if (row.over_quota) throw apiError(403, ERRORS.storageQuotaReached)
  return { userMessageId: row.user_message_id, assistantMessageId: row.assistant_message_id }
}

/** An ended answer as it is stored: who wrote it, and what it cost. */
export interface AnswerToStore extends EndedAnswer {
  model: string
  neurons: number
  costUsd: number
  /** What is added to the user's day (estimated tokens when Workers AI reported none). */
  spent: AnswerUsage
}

/**
 * Stores the answer once its stream has ended, however it ended, in one statement with no
 * per-token writes: the message, its cost added to the user's day, and the model as the chat's
 * and the user's last used. `db` is the connection taken when the turn began: on Workers the
 * stream's end runs outside the request's async context.
 */
export async function storeAnswer(chatId: number, id: number, answer: AnswerToStore, db?: Database): Promise<number | undefined> {
  db ??= await useDb()
  // The chat may have been deleted while the answer streamed; then there is no message to keep
  // (the spending still counts).
  const list = await queryRows<{ id: number }>(db, sql`
    with stored as (
      insert into messages (id, chat_id, role, content, status, model, prompt_tokens, completion_tokens, neurons, cost_usd, reasoning, reasoning_ms, finish_reason)
      select ${id}, ${chatId}, 'assistant', ${answer.content}, ${answer.status}, ${answer.model},
        ${answer.usage?.promptTokens ?? null}, ${answer.usage?.completionTokens ?? null}, ${answer.neurons}, ${answer.costUsd},
        ${answer.reasoning ?? null}, ${answer.reasoningMs ?? null}, ${answer.finishReason ?? null}
      where exists (select 1 from chats where id = ${chatId})
      returning id
    ),
    chosen as (
      update chats set model = ${answer.model} where id = ${chatId} and model is distinct from ${answer.model}
    ),
    ${usageWrites(answer.spent)}
    select id from stored`)
  return list[0]?.id
}
