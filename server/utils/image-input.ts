import { ERRORS, IMAGE_LIMITS, imagesOf, sniffImage, type ChatMessage, type LiveModel, type StoredImage } from '#shared/contract'
import type { ImageInput } from './image-store.ts'

/** The images of a chat request, checked: per message (for the model), and the new ones of its question (to store). */
export interface TurnImages {
  /** Index by index with `messages`: each message's images, bytes included. */
  perMessage: ImageInput[][]
  /** The question's images that came as data (stored with a saved chat's question). */
  fresh: ImageInput[]
  /** The question's images, in order: the new ones as `fresh` indexes, stored ones by id. */
  question: ({ fresh: number } | { stored: string })[]
}

const DATA_URL = /^data:([\w.+/-]*)((?:;[\w=.+-]*)*),/i
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const STORED_URL = /^\/api\/images\/([\w-]{22})$/

/**
 * Reads and checks the images of a chat request's messages (file parts): at most
 * IMAGE_LIMITS.maxImagesPerMessage per message and maxImagesPerRequest as data, each at most
 * maxImageBytes and a PNG, JPEG, WebP or GIF by its bytes; only user messages carry them; a
 * model that cannot see refuses them. A stored image (`/api/images/<id>`) must be the user's.
 * Undefined when the request has none.
 *
 * @example const images = await readTurnImages(user.id, model, messages)
 */
export async function readTurnImages(userId: number, model: LiveModel, messages: ChatMessage[]): Promise<TurnImages | undefined> {
  const parts = messages.map(imagesOf)
  if (!parts.some(list => list.length)) return undefined
  if (!model.capabilities.vision) throw apiError(400, ERRORS.imageModelCannotSee)
  let asData = 0
  for (const [at, list] of parts.entries()) {
    if (!list.length) continue
    if (messages[at]!.role !== 'user') throw apiError(400, ERRORS.imageInvalid)
    if (list.length > IMAGE_LIMITS.maxImagesPerMessage) throw apiError(400, ERRORS.imagesTooMany)
    asData += list.filter(part => part.url.startsWith('data:')).length
  }
  if (asData > IMAGE_LIMITS.maxImagesPerRequest) throw apiError(400, ERRORS.imagesTooMany)

  const store = useImageStore()
  const last = parts.length - 1
  const turn: TurnImages = { perMessage: parts.map(() => []), fresh: [], question: [] }
  // Only the newest images the model takes are read from the store: a long chat's older ones
  // would cost reads and memory for nothing.
  let readable = model.capabilities.vision.maxImages
  for (let at = last; at >= 0; at--) {
    const images: ImageInput[] = []
    for (const part of [...parts[at]!].reverse()) {
      const stored = STORED_URL.exec(part.url)?.[1]
      if (stored) {
        if (at === last) turn.question.unshift({ stored })
        if (readable <= 0) continue
        const found = await store.get(stored, userId)
        if (!found) throw apiError(404, ERRORS.imageNotFound)
        images.unshift({ mediaType: found.mediaType, width: found.width, height: found.height, bytes: found.bytes })
        readable--
        continue
      }
      const image = decodeDataUrl(part.url)
      if (at === last) {
        turn.fresh.unshift(image)
        turn.question.unshift({ fresh: -1 })
      }
      if (readable > 0) {
        images.unshift(image)
        readable--
      }
    }
    turn.perMessage[at] = images
  }
  // Collected newest first: the question's new images are numbered in their order now.
  let next = 0
  for (const image of turn.question) if ('fresh' in image) image.fresh = next++
  return turn
}

/** A base64 `data:` URL's image: 400 when it is not one, 413 past the size limit, 415 for any other type. */
export function decodeDataUrl(url: string): ImageInput {
  const head = DATA_URL.exec(url.slice(0, 200))
  if (!head || !/;base64$/i.test(head[2] ?? '')) throw apiError(400, ERRORS.imageInvalid)
  const encoded = url.slice(head[0].length)
  // Refused by its length first, so an oversized image is never decoded.
  if (Math.floor(encoded.length * 3 / 4) - (encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0) > IMAGE_LIMITS.maxImageBytes)
    throw apiError(413, ERRORS.imageTooLarge)
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw apiError(400, ERRORS.imageInvalid)
  const bytes = new Uint8Array(Buffer.from(encoded, 'base64'))
  const sniffed = sniffImage(bytes)
  if (!sniffed) throw apiError(415, ERRORS.imageTypeUnsupported)
  return { ...sniffed, bytes }
}

/** The ids the question's images have once its new ones are stored as `stored`. */
export function questionImageIds(turn: TurnImages, stored: StoredImage[]): string[] {
  return turn.question.map(image => 'stored' in image ? image.stored : stored[image.fresh]!.id)
}
