import { randomBytes } from 'node:crypto'
import { and, desc, eq, sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { ERRORS, SHARE_ID_BYTES, SHARE_LIMITS, SHARE_PATH, type SharedChat, type SharedMessage, type ShareSummary } from '#shared/contract'

const { shares } = tables

const summaryColumns = { id: shares.id, chatId: shares.chatId, title: shares.title, createdAt: shares.createdAt, updatedAt: shares.updatedAt }

function toSummary(row: { id: string, chatId: number, title: string, createdAt: Date, updatedAt: Date }, origin: string): ShareSummary {
  return { ...row, url: shareUrl(row.id, origin), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() }
}

/** The origin the client reached (behind trusted proxies, the one they forwarded): share links start with it. */
export function requestOrigin(event: H3Event): string {
  const secure = getRequestProtocol(event, { xForwardedProto: serverConfig().trustedProxyHops > 0 }) === 'https'
  return `${secure ? 'https' : 'http'}://${requestHost(event)}`
}

/** The public link of share `id` on the server at `origin`. */
export function shareUrl(id: string, origin: string): string {
  return new URL(`${SHARE_PATH}${id}`, origin).href
}

/**
 * The snapshot of a chat as its page shows it now: title and the newest messages of its active path within
 * SHARE_LIMITS, oldest first, with their thinking and model. An answer still generating is left
 * out (it is not an answer yet). `bytes` is what the snapshot adds to the storage quota, counted
 * as the shares_stored_bytes trigger counts it.
 */
function snapshotOf(chatId: number) {
  return sql`
    with recent as (
      select m.id, m.role, m.content, m.status, m.model, m.reasoning, m.reasoning_ms, m.finish_reason,
        (select jsonb_agg(jsonb_build_object('id', i.id, 'mediaType', i.media_type, 'size', i.byte_size, 'width', i.width, 'height', i.height) order by i.position)
          from images i where i.message_id = m.id) as files,
        row_number() over (order by m.id desc) as position,
        sum(octet_length(m.content) + coalesce(octet_length(m.reasoning), 0)) over (order by m.id desc) as running
      from messages m where m.chat_id = ${chatId} and m.active and m.status <> 'streaming'
    ), kept as (
      select coalesce(jsonb_agg(jsonb_build_object(
          'role', role, 'content', content, 'status', status, 'model', model, 'reasoning', reasoning,
          'reasoningMs', reasoning_ms, 'finishReason', finish_reason) || case when files is null then '{}'::jsonb else jsonb_build_object('files', files) end order by id)
        filter (where position <= ${SHARE_LIMITS.messages} and (position = 1 or running <= ${SHARE_LIMITS.bytes})), '[]'::jsonb) as messages,
        coalesce(bool_or(position > ${SHARE_LIMITS.messages} or (position > 1 and running > ${SHARE_LIMITS.bytes})), false) as truncated
      from recent
    )
    select c.title, kept.messages, kept.truncated, share_text_bytes(c.title, kept.messages) as bytes from chats c, kept where c.id = ${chatId}`
}

/**
 * Shares chat `chatId`: a new public link to a snapshot of it, or, when the chat is shared
 * already, the same link with its snapshot taken again (later turns appear only then). 404 for a
 * missing or foreign chat; 403 when the snapshot would take the user past USER_STORAGE_QUOTA_MB.
 *
 * @example const { url } = await shareChat(user.id, 7, 'https://chat.example')
 */
export async function shareChat(userId: number, chatId: number, origin: string): Promise<ShareSummary> {
  const { storageBytesPerUser } = serverConfig().limits
  const db = await useDb()
  return db.transaction(async (tx) => {
    // The user's row is locked, as for a new chat: two shares at once cannot both pass the quota.
    const [usage] = await queryRows<{ stored_bytes: number | string, owned: boolean, old_bytes: number | string | null }>(tx, sql`
      select stored_bytes,
        exists (select 1 from chats where id = ${chatId} and user_id = ${userId}) as owned,
        (select share_text_bytes(s.title, s.messages) from shares s where s.chat_id = ${chatId}) as old_bytes
      from users where id = ${userId} for update`)
    if (!usage?.owned) throw apiError(404, ERRORS.chatNotFound)
    const [snapshot] = await queryRows<{ title: string, messages: SharedMessage[], truncated: boolean, bytes: number | string }>(tx, snapshotOf(chatId))
    const growth = Number(snapshot!.bytes) - Number(usage.old_bytes ?? 0)
    if (storageBytesPerUser > 0 && growth > 0 && Number(usage.stored_bytes) + growth > storageBytesPerUser) throw apiError(403, ERRORS.storageQuotaReached)
    const { title, messages, truncated } = snapshot!
    const [share] = await tx.insert(shares)
      .values({ id: randomBytes(SHARE_ID_BYTES).toString('base64url'), userId, chatId, title, messages, truncated })
      .onConflictDoUpdate({ target: shares.chatId, set: { title, messages, truncated, updatedAt: sql`now()` } })
      .returning(summaryColumns)
    return toSummary(share!, origin)
  })
}

/** The user's shares, the most recently taken first. */
export async function listShares(userId: number, origin: string): Promise<ShareSummary[]> {
  const db = await useDb()
  const rows = await db.select(summaryColumns).from(shares).where(eq(shares.userId, userId)).orderBy(desc(shares.updatedAt), desc(shares.createdAt))
  return rows.map(row => toSummary(row, origin))
}

/** Revokes a share: its link answers 404 from now on. 404 for a missing or foreign share. */
export async function revokeShare(userId: number, id: string): Promise<void> {
  const db = await useDb()
  const deleted = await db.delete(shares).where(and(eq(shares.id, id), eq(shares.userId, userId))).returning({ id: shares.id })
  if (!deleted.length) throw apiError(404, ERRORS.shareNotFound)
}

/** A share's snapshot for anyone who has the link, or 404 (revoked, its chat deleted, never made). */
export async function readShare(id: string): Promise<SharedChat> {
  const db = await useDb()
  const [share] = await db.select({ title: shares.title, messages: shares.messages, truncated: shares.truncated, updatedAt: shares.updatedAt })
    .from(shares).where(eq(shares.id, id))
  if (!share) throw apiError(404, ERRORS.shareNotFound)
  const messages = (share.messages as SharedMessage[]).map(message => message.files
    ? { ...message, files: message.files.map(file => ({ ...file, url: sharedImageUrl(id, file.id) })) }
    : message)
  return { title: share.title, messages, truncated: share.truncated, sharedAt: share.updatedAt.toISOString() }
}

/** Where a share's image is served to anyone with the link. */
export function sharedImageUrl(shareId: string, imageId: string): string {
  return `/api/shares/${shareId}/images/${imageId}`
}

/**
 * An image of share `shareId`'s snapshot, with its bytes: only the images the snapshot shows,
 * while the share and the image exist (undefined otherwise: the caller answers 404).
 */
export async function readSharedImage(shareId: string, imageId: string) {
  const db = await useDb()
  const [row] = await queryRows<{ user_id: number }>(db, sql`
    select s.user_id from shares s join images i on i.chat_id = s.chat_id and i.id = ${imageId}
    where s.id = ${shareId} and s.messages @> ${JSON.stringify([{ files: [{ id: imageId }] }])}::jsonb`)
  return row ? useImageStore().get(imageId, row.user_id) : undefined
}
