import type { SharedMessage } from '#shared/contract'
import type { NeptunUIMessage } from './chat-messages'

/**
 * A shared message as the chat page's message component takes it: its text, its thinking (done)
 * and the model that wrote it. Its id is its place in the share; a share has no database ids.
 */
export function sharedToUIMessage(message: SharedMessage, index: number): NeptunUIMessage {
  return {
    id: `shared-${index}`,
    role: message.role,
    parts: [
      ...(message.files ?? []).map(file => ({ type: 'file' as const, mediaType: file.mediaType, url: file.url, filename: `image-${file.id}` })),
      ...(message.reasoning ? [{ type: 'reasoning' as const, text: message.reasoning, state: 'done' as const }] : []),
      { type: 'text', text: message.content },
    ],
    metadata: {
      status: message.status,
      ...(message.model ? { model: message.model } : {}),
      ...(message.reasoningMs === null ? {} : { reasoningMs: message.reasoningMs }),
      ...(message.finishReason ? { finishReason: message.finishReason } : {}),
    },
  }
}
