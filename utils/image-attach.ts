import type { FileUIPart } from 'ai'
import { IMAGE_LIMITS } from '#shared/contract/limits'

/** An image picked, pasted or dropped in the composer, ready to send as a file part. */
export interface ImageAttachment {
  id: string
  name: string
  part: FileUIPart
}

/** Why an image could not be attached. */
export type AttachError = 'type' | 'tooLarge' | 'unreadable'

export class ImageAttachError extends Error {
  constructor(readonly reason: AttachError, readonly fileName: string) {
    super(`${reason}: ${fileName}`)
  }
}

const ACCEPTED = new Set<string>(IMAGE_LIMITS.types)
/** What the file picker offers. */
export const IMAGE_ACCEPT = IMAGE_LIMITS.types.join(',')

let counter = 0

/**
 * A picture as the composer sends it: scaled down in the browser (canvas) so its longer side is
 * at most `maxSide` and it fits IMAGE_LIMITS.maxImageBytes; a GIF becomes its first frame as a
 * PNG. A small enough PNG, JPEG or WebP goes as it is. The server checks the bytes again.
 *
 * @example const attachment = await imageAttachment(file)
 */
export async function imageAttachment(file: File, maxSide: number = IMAGE_LIMITS.maxImageSide): Promise<ImageAttachment> {
  const name = file.name || 'image'
  if (!ACCEPTED.has(file.type)) throw new ImageAttachError('type', name)
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file)
  }
  catch {
    throw new ImageAttachError('unreadable', name)
  }
  const longest = Math.max(bitmap.width, bitmap.height)
  let blob: Blob = file
  if (longest > maxSide || file.size > IMAGE_LIMITS.maxImageBytes || file.type === 'image/gif') {
    const scale = Math.min(1, maxSide / longest)
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(bitmap.width * scale))
    canvas.height = Math.max(1, Math.round(bitmap.height * scale))
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    const type = file.type === 'image/jpeg' || file.type === 'image/webp' ? file.type : 'image/png'
    blob = await canvasBlob(canvas, type, 0.9)
    // A photo saved as PNG can stay large: JPEG at a lower quality is the fallback.
    if (blob.size > IMAGE_LIMITS.maxImageBytes) blob = await canvasBlob(canvas, 'image/jpeg', 0.8)
  }
  bitmap.close()
  if (blob.size > IMAGE_LIMITS.maxImageBytes) throw new ImageAttachError('tooLarge', name)
  return { id: `attachment-${++counter}`, name, part: { type: 'file', mediaType: blob.type || file.type, filename: name, url: await dataUrlOf(blob) } }
}

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob(blob => blob ? resolve(blob) : reject(new ImageAttachError('unreadable', 'image')), type, quality))
}

function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(new ImageAttachError('unreadable', 'image'))
    reader.readAsDataURL(blob)
  })
}

/** The image files among a paste's or a drop's items. */
export function imageFilesOf(data: DataTransfer | null): File[] {
  if (!data) return []
  return [...data.files].filter(file => file.type.startsWith('image/'))
}
