import { randomBytes } from 'node:crypto'
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { ERRORS, type ImageMediaType, type StoredImage } from '#shared/contract'

/** An image checked and ready to keep: its sniffed type, size in pixels and bytes. */
export interface ImageInput {
  mediaType: ImageMediaType
  width: number
  height: number
  bytes: Uint8Array
}

/** Whose an image is: the user and the chat it goes with. */
export interface ImageOwner {
  userId: number
  chatId: number
}

/**
 * Where images are kept. This one keeps them in the database (PostgreSQL or PGlite), so the
 * two-command start needs nothing else; an S3-compatible bucket or R2 could implement the same
 * three calls (README: "Images", what that takes).
 */
export interface ImageStore {
  /** Stores `images` with `owner`'s chat, not yet tied to a message; 403 past the storage quota. */
  put: (owner: ImageOwner, images: ImageInput[]) => Promise<StoredImage[]>
  /** The image and its bytes, when `userId` owns it (undefined otherwise: the caller answers 404). */
  get: (id: string, userId: number) => Promise<(StoredImage & { chatId: number, messageId: number | null, bytes: Uint8Array }) | undefined>
  /** Removes images (a turn that stored nothing); their bytes leave the quota. */
  delete: (ids: string[]) => Promise<void>
}

/** 128 random bits, URL-safe: an image's URL is not guessable, though ownership is checked anyway. */
const newImageId = () => randomBytes(16).toString('base64url')

export const IMAGE_URL_PREFIX = '/api/images/'

export function storedImageOf(row: { id: string, mediaType: string, byteSize: number, width: number, height: number }): StoredImage {
  return { id: row.id, url: `${IMAGE_URL_PREFIX}${row.id}`, mediaType: row.mediaType as ImageMediaType, size: row.byteSize, width: row.width, height: row.height }
}

const metadata = { id: tables.images.id, mediaType: tables.images.mediaType, byteSize: tables.images.byteSize, width: tables.images.width, height: tables.images.height }

/** The database's ImageStore. */
export const databaseImageStore: ImageStore = {
  async put(owner, images) {
    if (!images.length) return []
    const { storageBytesPerUser } = serverConfig().limits
    const total = images.reduce((sum, image) => sum + image.bytes.byteLength, 0)
    const db = await useDb()
    return db.transaction(async (tx) => {
      // The user's row is locked, so two turns at once cannot both slip under the quota.
      const [usage] = await queryRows<{ stored_bytes: string | number }>(tx, sql`select stored_bytes from users where id = ${owner.userId} for update`)
      if (storageBytesPerUser > 0 && Number(usage?.stored_bytes ?? 0) + total > storageBytesPerUser) throw apiError(403, ERRORS.storageQuotaReached)
      const rows = await tx.insert(tables.images).values(images.map((image, position) => ({
        id: newImageId(),
        userId: owner.userId,
        chatId: owner.chatId,
        position,
        mediaType: image.mediaType,
        byteSize: image.bytes.byteLength,
        width: image.width,
        height: image.height,
        data: Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength),
      }))).returning(metadata)
      return rows.map(storedImageOf)
    })
  },
  async get(id, userId) {
    const db = await useDb()
    const [row] = await db.select({ ...metadata, chatId: tables.images.chatId, messageId: tables.images.messageId, data: tables.images.data })
      .from(tables.images).where(and(eq(tables.images.id, id), eq(tables.images.userId, userId)))
    if (!row?.data) return undefined
    return { ...storedImageOf(row), chatId: row.chatId, messageId: row.messageId, bytes: row.data }
  },
  async delete(ids) {
    if (!ids.length) return
    const db = await useDb()
    await db.delete(tables.images).where(inArray(tables.images.id, ids))
  },
}

/** The store the app uses. */
export function useImageStore(): ImageStore {
  return databaseImageStore
}

/**
 * Ties a turn's images to its stored question. Images already tied to another message (a
 * question asked again as a new version, with the images it had) are copied, so each version
 * keeps its own and deleting one leaves the other whole; the copies count towards the quota.
 */
export async function attachImages(userId: number, messageId: number, ids: string[]): Promise<void> {
  if (!ids.length) return
  const db = await useDb()
  // A question stored already (the same question sent again) keeps the images it has: the new
  // copies of them go.
  const [kept] = await db.select({ id: tables.images.id }).from(tables.images).where(eq(tables.images.messageId, messageId)).limit(1)
  if (kept) {
    await db.delete(tables.images).where(and(inArray(tables.images.id, ids), eq(tables.images.userId, userId), isNull(tables.images.messageId)))
    return
  }
  for (const [position, id] of ids.entries()) {
    const tied = await db.update(tables.images).set({ messageId, position })
      .where(and(eq(tables.images.id, id), eq(tables.images.userId, userId), isNull(tables.images.messageId))).returning({ id: tables.images.id })
    if (tied.length) continue
    await db.execute(sql`
      insert into images (id, user_id, chat_id, message_id, position, media_type, byte_size, width, height, data)
      select ${newImageId()}, user_id, chat_id, ${messageId}, ${position}, media_type, byte_size, width, height, data from images
      where id = ${id} and user_id = ${userId} and message_id <> ${messageId}
        and not exists (select 1 from images where message_id = ${messageId} and position = ${position})`)
  }
}

/** The images of `messageIds`, by message, in order (for a page of a chat). */
export async function imagesOfMessages(messageIds: number[]): Promise<Map<number, StoredImage[]>> {
  const found = new Map<number, StoredImage[]>()
  if (!messageIds.length) return found
  const db = await useDb()
  const rows = await db.select({ ...metadata, messageId: tables.images.messageId }).from(tables.images)
    .where(inArray(tables.images.messageId, messageIds)).orderBy(asc(tables.images.messageId), asc(tables.images.position))
  for (const row of rows) {
    const list = found.get(row.messageId!) ?? []
    list.push(storedImageOf(row))
    found.set(row.messageId!, list)
  }
  return found
}
