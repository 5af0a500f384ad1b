import type { ModelImage, ModelRequest } from './parts.ts'

/** A content part of an `image_url` model's user message (OpenAI's shape, which Workers AI documents for them). */
export type PromptContentPart = { type: 'text', text: string } | { type: 'image_url', image_url: { url: string } }

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant'
  content: string | PromptContentPart[]
}

/**
 * The messages a model is sent: the system prompt first, as a message of its own; or, for models
 * whose vendor advises against a system prompt (the DeepSeek-R1 distills), in front of the first
 * user message. Only `role` and `content` of each message go. An `image_url` model gets a user
 * message's images as content parts after its text (data: URLs); the newest
 * `vision.maxImages` of the conversation go, older ones are left out.
 *
 * @example promptMessages({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], … })
 */
export function promptMessages(request: Pick<ModelRequest, 'system' | 'messages' | 'reasoning' | 'vision'>): PromptMessage[] {
  const sent = request.vision?.input === 'image_url' ? newestImages(request) : new Set<ModelImage>()
  const messages: PromptMessage[] = request.messages.map(({ role, content, images = [] }) => {
    const shown = images.filter(image => sent.has(image))
    if (!shown.length) return { role, content }
    return { role, content: [{ type: 'text', text: content }, ...shown.map((image): PromptContentPart => ({ type: 'image_url', image_url: { url: dataUrl(image) } }))] }
  })
  if (!request.reasoning?.instructionsInUserTurn) return [{ role: 'system', content: request.system }, ...messages]
  const first = messages.findIndex(message => message.role === 'user')
  const firstContent = messages[first]!.content
  messages[first] = {
    role: 'user',
    content: typeof firstContent === 'string'
      ? `${request.system}\n\n${firstContent}`
      : firstContent.map(part => part.type === 'text' ? { ...part, text: `${request.system}\n\n${part.text}` } : part),
  }
  return messages
}

/**
 * The request's `image` field for models that take one image beside the messages (Llama 3.2
 * Vision): the conversation's newest image, as an array of its bytes, which is the form
 * Cloudflare's schema and tutorial give for JSON. Empty for other models or no image.
 */
export function imageField(request: Pick<ModelRequest, 'messages' | 'vision'>): { image?: number[] } {
  if (request.vision?.input !== 'image') return {}
  const [newest] = newestImages(request)
  return newest ? { image: Array.from(newest.bytes) } : {}
}

/** The conversation's newest images, as many as the model takes. */
function newestImages(request: Pick<ModelRequest, 'messages' | 'vision'>): Set<ModelImage> {
  const all = request.messages.flatMap(message => message.images ?? [])
  return new Set(all.slice(Math.max(0, all.length - (request.vision?.maxImages ?? 0))).reverse())
}

function dataUrl(image: ModelImage): string {
  return `data:${image.mediaType};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`
}
