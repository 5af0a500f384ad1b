import { ERRORS } from '#shared/contract'

const IMAGE_ID = /^[\w-]{22}$/
const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' }

/**
 * GET /api/images/:id: an image stored with one of the caller's chats, as its own type (sniffed
 * when it was stored), never to be sniffed again by the browser. Another user's image is a 404,
 * like a missing one.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const id = getRouterParam(event, 'id') ?? ''
  const image = IMAGE_ID.test(id) ? await useImageStore().get(id, user.id) : undefined
  if (!image) throw apiError(404, ERRORS.imageNotFound)
  setResponseHeaders(event, {
    'content-type': image.mediaType,
    'content-length': image.bytes.byteLength,
    'content-disposition': `inline; filename="image-${image.id}.${EXTENSIONS[image.mediaType] ?? 'bin'}"`,
    'x-content-type-options': 'nosniff',
    // Its bytes never change under its id; only its owner's browser keeps a copy.
    'cache-control': 'private, max-age=86400',
  })
  return Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)
})
