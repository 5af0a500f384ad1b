// Image sniffing (the bytes decide the type, SVG and others are refused, in time linear in the
// bytes), and the adapter's two ways of showing a model images.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findLiveModel, sniffImage, type LiveModel } from '../../shared/contract/index.ts'
import { imageField, promptMessages } from '../../server/workers-ai/prompt.ts'
import { gifHead, jpegHead, png, SVG, webpHead } from '../support/images.ts'

describe('sniffImage', () => {
  it('reads the type and size of PNG, JPEG, WebP and GIF from their headers', () => {
    expect(sniffImage(png(3, 2))).toEqual({ mediaType: 'image/png', width: 3, height: 2 })
    expect(sniffImage(jpegHead(640, 480))).toEqual({ mediaType: 'image/jpeg', width: 640, height: 480 })
    expect(sniffImage(webpHead(300, 200))).toEqual({ mediaType: 'image/webp', width: 300, height: 200 })
    expect(sniffImage(gifHead(16, 9))).toEqual({ mediaType: 'image/gif', width: 16, height: 9 })
  })

  it('refuses SVG, text, truncated headers and images of no size', () => {
    expect(sniffImage(SVG)).toBeUndefined()
    expect(sniffImage(Buffer.from('hello'))).toBeUndefined()
    expect(sniffImage(png(3, 2).subarray(0, 20))).toBeUndefined()
    expect(sniffImage(gifHead(0, 9))).toBeUndefined()
    expect(sniffImage(Buffer.from([0xFF, 0xD8, 0xFF]))).toBeUndefined()
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const found = sniffImage(bytes)
      expect(found === undefined || (found.width > 0 && found.height > 0)).toBe(true)
    }))
  })

  it('walks a JPEG with many segments in linear time', () => {
    const segment = Buffer.from([0xFF, 0xE1, 0x00, 0x04, 0x00, 0x00])
    const bytes = Buffer.concat([Buffer.from([0xFF, 0xD8]), ...Array.from({ length: 300_000 }, () => segment), jpegHead(5, 6).subarray(2)])
    const started = performance.now()
    expect(sniffImage(bytes)).toEqual({ mediaType: 'image/jpeg', width: 5, height: 6 })
    expect(performance.now() - started).toBeLessThan(500)
  })
})

describe('images to the model', () => {
  const red = { mediaType: 'image/png' as const, bytes: new Uint8Array(png(1, 1)) }
  const blue = { mediaType: 'image/png' as const, bytes: new Uint8Array(png(2, 2)) }
  const messages = [
    { role: 'user' as const, content: 'first', images: [red] },
    { role: 'assistant' as const, content: 'ok' },
    { role: 'user' as const, content: 'second', images: [blue] },
  ]
  const vision = (name: string) => findLiveModel(name)!.capabilities.vision as NonNullable<LiveModel['capabilities']['vision']>

  it('goes as image_url parts after the text, the newest as many as the model takes', () => {
    const sent = promptMessages({ system: 'sys', messages, vision: { ...vision('llama-4-scout-17b-16e-instruct'), maxImages: 1 } })
    expect(sent[1]).toEqual({ role: 'user', content: 'first' })
    expect(sent[3]).toEqual({ role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(blue.bytes).toString('base64')}` } }] })
    expect(imageField({ messages, vision: vision('llama-4-scout-17b-16e-instruct') })).toEqual({})
  })

  it('goes as the newest image\'s bytes in `image` for Llama 3.2 Vision, with text-only messages', () => {
    const model = vision('llama-3.2-11b-vision-instruct')
    expect(imageField({ messages, vision: model })).toEqual({ image: Array.from(blue.bytes) })
    expect(promptMessages({ system: 'sys', messages, vision: model }).every(message => typeof message.content === 'string')).toBe(true)
  })

  it('leaves a model without vision text-only', () => {
    expect(promptMessages({ system: 'sys', messages }).every(message => typeof message.content === 'string')).toBe(true)
    expect(imageField({ messages })).toEqual({})
  })
})
