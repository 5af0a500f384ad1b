import type { UIMessage } from 'ai'
import type { ChatMessage, ChatStreamMetadata, StoredMessage } from '#shared/contract'

/** What the stream's message metadata carries, plus what we set for messages loaded from the database. */
export interface NeptunMessageMetadata extends ChatStreamMetadata {
  /** The database id of this message, for messages loaded from GET /api/chats/:id. */
  dbId?: number
}

export type NeptunUIMessage = UIMessage<NeptunMessageMetadata>

/** The plain text of a UI message (its text parts joined). */
export function messageText(message: UIMessage): string {
  return message.parts.map(part => (part.type === 'text' ? part.text : '')).join('')
}

/** The request body the endpoint accepts: exactly `{messages:[{role,content}]}`. */
export function toChatRequestMessages(messages: readonly UIMessage[]): ChatMessage[] {
  return messages
    .filter((message): message is UIMessage & { role: 'user' | 'assistant' } => message.role === 'user' || message.role === 'assistant')
    .map(message => ({ role: message.role, content: messageText(message) }))
}

/** A stored message as a UI message; its id keeps the database id so actions can find it. */
export function storedToUIMessage(message: StoredMessage): NeptunUIMessage {
  return {
    id: `db-${message.id}`,
    role: message.role,
    parts: [{ type: 'text', text: message.content }],
    metadata: { dbId: message.id, status: message.status },
  }
}

/**
 * The database id of `messages[index]`, when the client knows it: from the load, or from the
 * stream metadata (the user message's id arrives on the answer that follows it).
 */
export function databaseIdAt(messages: readonly NeptunUIMessage[], index: number): number | undefined {
  const message = messages[index]
  if (!message) return undefined
  if (message.metadata?.dbId) return message.metadata.dbId
  if (message.role === 'assistant') return message.metadata?.assistantMessageId
  return messages[index + 1]?.metadata?.userMessageId
}
