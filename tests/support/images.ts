// Images for the tests, made here so nothing is fetched: a real (decodable) PNG of any size, the
// first bytes of the other accepted types, and things that are not accepted images.
import { deflateSync } from 'node:zlib'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xFFFFFFFF
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xFF]! ^ (c >>> 8)
  return (c ^ 0xFFFFFFFF) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * A real RGB PNG of `width` × `height` in one colour; `padTo` adds a private ancillary chunk
 * (which decoders skip) until the file has that many bytes.
 */
export function png(width: number, height: number, options: { rgb?: [number, number, number], padTo?: number } = {}): Buffer {
  const [r, g, b] = options.rgb ?? [200, 40, 40]
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())])
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))
  const parts = [Buffer.from([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), chunk('IHDR', header), chunk('IDAT', pixels)]
  const size = parts.reduce((sum, part) => sum + part.length, 0) + 12
  if (options.padTo && options.padTo > size + 12) parts.push(chunk('npAd', Buffer.alloc(options.padTo - size - 12, 7)))
  parts.push(chunk('IEND', Buffer.alloc(0)))
  return Buffer.concat(parts)
}

/** The start of a baseline JPEG of `width` × `height` (SOI, APP0, SOF0): enough for sniffing. */
export function jpegHead(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])
  const sof = Buffer.from([0xFF, 0xC0, 0x00, 0x11, 0x08, height >> 8, height & 0xFF, width >> 8, width & 0xFF, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
  return Buffer.concat([Buffer.from([0xFF, 0xD8]), app0, sof, Buffer.from([0xFF, 0xD9])])
}

/** A GIF89a header of `width` × `height`. */
export function gifHead(width: number, height: number): Buffer {
  const head = Buffer.from('GIF89a\0\0\0\0\0\0\0', 'latin1')
  head.writeUInt16LE(width, 6)
  head.writeUInt16LE(height, 8)
  return head
}

/** A WebP (extended format) header of `width` × `height`. */
export function webpHead(width: number, height: number): Buffer {
  const head = Buffer.alloc(30)
  head.write('RIFF', 0, 'ascii')
  head.writeUInt32LE(22, 4)
  head.write('WEBPVP8X', 8, 'ascii')
  head.writeUInt32LE(10, 16)
  head.writeUIntLE(width - 1, 24, 3)
  head.writeUIntLE(height - 1, 27, 3)
  return head
}

export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><script>alert(1)</script></svg>')

export const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`

/** An AI SDK file part carrying `bytes`. */
export const filePart = (bytes: Buffer, mediaType = 'image/png') => ({ type: 'file' as const, mediaType, url: dataUrl(bytes, mediaType) })
