import { createHash } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { ERRORS, type ChatMessage, type ChatWithMessages, type MessageSiblings } from '#shared/contract'

// A chat's messages form a tree: each names the message it follows (parent_id), an edited
// question or a regenerated answer is a new version beside the old one, and one path from the
// first message down (messages.active) is the conversation the chat shows, exports and sends to
// the model. The SQL functions set_active_path and branch_leaf are in migration 0011.

/**
 * The versions of each message of a page (the messages that follow the same one), oldest first:
 * for a select whose rows have `id` and `parent_id`.
 */
export function siblingIds(chatId: number): SQL<number[]> {
  return sql<number[]>`case when parent_id is null
    then array(select s.id from messages s where s.chat_id = ${chatId} and s.parent_id is null order by s.id)
    else array(select s.id from messages s where s.parent_id = page.parent_id order by s.id) end`
}

export function siblingsOf(id: number, ids: readonly (number | string)[]): MessageSiblings {
  const numbers = ids.map(Number)
  return { index: Math.max(0, numbers.indexOf(id)), count: numbers.length, ids: numbers }
}

/** A database or a transaction. */
type Executor = Parameters<typeof queryRows>[0]

/** Locks the user's chat for a change of its tree; 404 when it is not theirs. */
async function lockChat(tx: Executor, userId: number, chatId: number): Promise<void> {
  const [owned] = await queryRows<{ id: number }>(tx, sql`select id from chats where id = ${chatId} and user_id = ${userId} for update`)
  if (!owned) throw apiError(404, ERRORS.chatNotFound)
}

async function findMessage(tx: Executor, chatId: number, messageId: number): Promise<{ parent_id: number | null, active: boolean }> {
  const [message] = await queryRows<{ parent_id: number | null, active: boolean }>(tx, sql`
    select parent_id, active from messages where id = ${messageId} and chat_id = ${chatId}`)
  if (!message) throw apiError(404, ERRORS.messageNotFound)
  return message
}

/**
 * Switches the chat's active path to go through message `messageId` (a version of a message on
 * it, or any message of the chat), and below it along the newest versions. Answers the chat
 * as GET /api/chats/:id does: the newest page of the new path. 404 for a foreign chat or a
 * message that is not in it.
 */
export async function activateMessage(userId: number, chatId: number, messageId: number): Promise<ChatWithMessages> {
  const db = await useDb()
  await db.transaction(async (tx) => {
    await lockChat(tx, userId, chatId)
    await findMessage(tx, chatId, messageId)
    await tx.execute(sql`select set_active_path(${chatId}, branch_leaf(${messageId}))`)
  })
  return getChatWithMessages(userId, chatId)
}

/**
 * Deletes message `fromId` and everything that follows it, in every version below it. When it
 * was on the active path, the newest version beside it (and its branch) takes its place there;
 * without one the path ends before it. 404 for a foreign chat or a message that is not in it;
 * nothing is deleted then.
 */
export async function truncateChat(userId: number, chatId: number, fromId: number): Promise<void> {
  const db = await useDb()
  await db.transaction(async (tx) => {
    await lockChat(tx, userId, chatId)
    const message = await findMessage(tx, chatId, fromId)
    // One statement for the whole subtree: the foreign key's cascade would go one level at a time.
    await tx.execute(sql`
      with recursive below(id) as (
        select ${fromId}::integer
        union all
        select m.id from messages m join below on m.parent_id = below.id
      )
      delete from messages where id in (select id from below)`)
    if (message.active) await restoreActivePath(tx, chatId, message.parent_id)
    await tx.execute(sql`update chats set updated_at = now() where id = ${chatId}`)
  })
}

/**
 * After an active message was removed: the newest version left beside it, and its branch, join
 * the active path, so no version is left where the chat cannot show it.
 */
export async function restoreActivePath(db: Executor, chatId: number, parentId: number | null): Promise<void> {
  await db.execute(sql`
    select set_active_path(${chatId}, branch_leaf(s.id))
    from (select id from messages where chat_id = ${chatId} and parent_id is not distinct from ${parentId}::integer order by id desc limit 1) s`)
}

/**
 * Where a turn's question goes in the chat's tree of messages (the `start_turn` function,
 * migration 0011): after message `parentId` (null: as a new first message) when given, else
 * where `history` (what the client sent before the question) leaves the chat's active path.
 */
export interface TurnPlace {
  history: ChatMessage[]
  parentId?: number | null
}

/**
 * The history as the `text[]` start_turn compares with the stored path: each message's SHA-256
 * of role and text, as `message_hashes` computes it in the database. Written as an array literal
 * (drizzle would spread a JS array into a row of parameters); hex digits need no quoting.
 */
export function historyHashes(history: readonly ChatMessage[]): string {
  return `{${history.map(message => createHash('sha256').update(`${message.role}:${message.content}`).digest('hex')).join(',')}}`
}
