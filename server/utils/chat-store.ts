import { and, asc, desc, eq, gte, sql } from 'drizzle-orm'
import { chatTitleFrom, DEFAULT_CHAT_TITLE, ERRORS, type ChatMessage, type ChatSummary, type ChatWithMessages, type StoredMessage } from '#shared/contract'
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
 * Without a model it starts with the user's last used one.
 */
export async function createChat(userId: number, title: string | undefined, history: ChatMessage[] = [], model?: string): Promise<ChatSummary> {
  const db = await useDb()
  return db.transaction(async (tx) => {
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

export async function getChatWithMessages(userId: number, chatId: number): Promise<ChatWithMessages> {
  const db = await useDb()
  const [chat] = await db.select({ ...chatColumns, updatedAt: lastActivity }).from(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId)))
  if (!chat) throw apiError(404, ERRORS.chatNotFound)
  const rows = await db.select().from(messages).where(eq(messages.chatId, chatId)).orderBy(asc(messages.id))
  return {
    ...toSummary(chat),
    messages: rows.map((row): StoredMessage => ({
      id: row.id,
      role: row.role,
      content: row.content,
      status: row.status,
      model: row.model,
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      neurons: row.neurons,
      costUsd: row.costUsd,
      reasoning: row.reasoning,
      reasoningMs: row.reasoningMs,
      finishReason: row.finishReason,
      createdAt: row.createdAt.toISOString(),
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
 * One round trip: the steps live in the `store_user_message` function (migration 0002).
 * 404 if the chat is not the user's.
 */
export async function storeUserMessage(userId: number, chatId: number, content: string): Promise<TurnIds> {
  const [row] = await queryRows<{ user_message_id: number, assistant_message_id: number }>(await useDb(), sql`
    select user_message_id, assistant_message_id
    from store_user_message(${userId}, ${chatId}, ${content}, ${chatTitleFrom(content)}, ${DEFAULT_CHAT_TITLE})`)
  if (!row) throw apiError(404, ERRORS.chatNotFound)
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
