import type { H3Event } from 'h3'
import type { StoredImage } from '#shared/contract'

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' }

/**
 * An image's bytes as the response: its sniffed type, shown inline under a name of its own, and
 * never sniffed again by the browser (the API's `default-src 'none'` policy applies as well).
 *
 * @example return imageResponse(event, image)
 */
export function imageResponse(event: H3Event, image: StoredImage & { bytes: Uint8Array }): Buffer {
  setResponseHeaders(event, {
    'content-type': image.mediaType,
    'content-length': image.bytes.byteLength,
    'content-disposition': `inline; filename="image-${image.id}.${EXTENSIONS[image.mediaType] ?? 'bin'}"`,
    'x-content-type-options': 'nosniff',
    // Its bytes never change under its id; shared caches keep no copy.
    'cache-control': 'private, max-age=86400',
  })
  return Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)
}
