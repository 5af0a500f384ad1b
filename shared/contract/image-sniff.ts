/**
 * What an image's first bytes say it is, and its size in pixels: PNG, JPEG, WebP and GIF (its
 * first frame's canvas). Anything else, SVG included, is `undefined`. Used by the server (a
 * file's name or declared type decides nothing) and by the emulator, which reports what it saw.
 * Reads headers only, in time linear in the bytes scanned.
 *
 * @example sniffImage(bytes) // { mediaType: 'image/png', width: 2, height: 3 }
 */
export interface SniffedImage {
  mediaType: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif'
  width: number
  height: number
}

export function sniffImage(bytes: Uint8Array): SniffedImage | undefined {
  const at = (offset: number) => bytes[offset] ?? -1
  const ascii = (offset: number, text: string) => [...text].every((char, i) => at(offset + i) === char.charCodeAt(0))
  const u16be = (offset: number) => (at(offset) << 8) | at(offset + 1)
  const u16le = (offset: number) => at(offset) | (at(offset + 1) << 8)
  const u24le = (offset: number) => at(offset) | (at(offset + 1) << 8) | (at(offset + 2) << 16)
  const u32be = (offset: number) => ((at(offset) << 24) >>> 0) + (at(offset + 1) << 16) + (at(offset + 2) << 8) + at(offset + 3)

  if (bytes.length >= 24 && at(0) === 0x89 && ascii(1, 'PNG\r\n\u001A\n') && ascii(12, 'IHDR'))
    return sized('image/png', u32be(16), u32be(20))
  if (bytes.length >= 10 && (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')))
    return sized('image/gif', u16le(6), u16le(8))
  if (bytes.length >= 30 && ascii(0, 'RIFF') && ascii(8, 'WEBP')) {
    if (ascii(12, 'VP8 ') && at(23) === 0x9D && at(24) === 0x01 && at(25) === 0x2A)
      return sized('image/webp', u16le(26) & 0x3FFF, u16le(28) & 0x3FFF)
    if (ascii(12, 'VP8L') && at(20) === 0x2F) {
      const bits = at(21) | (at(22) << 8) | (at(23) << 16) | (at(24) << 24)
      return sized('image/webp', (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1)
    }
    if (ascii(12, 'VP8X')) return sized('image/webp', u24le(24) + 1, u24le(27) + 1)
    return undefined
  }
  if (bytes.length >= 4 && at(0) === 0xFF && at(1) === 0xD8 && at(2) === 0xFF) {
    // Walk the segments to the first start-of-frame marker, which holds the size.
    let offset = 2
    while (offset + 9 < bytes.length) {
      if (at(offset) !== 0xFF) return undefined
      const marker = at(offset + 1)
      if (marker === 0xFF) {
        offset++
        continue
      }
      const isFrame = marker >= 0xC0 && marker <= 0xCF && marker !== 0xC4 && marker !== 0xC8 && marker !== 0xCC
      if (isFrame) return sized('image/jpeg', u16be(offset + 7), u16be(offset + 5))
      if (marker === 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker === 0x01) {
        offset += 2
        continue
      }
      offset += 2 + u16be(offset + 2)
    }
    return undefined
  }
  return undefined
}

function sized(mediaType: SniffedImage['mediaType'], width: number, height: number): SniffedImage | undefined {
  return width > 0 && height > 0 ? { mediaType, width, height } : undefined
}
