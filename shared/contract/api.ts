import type { ChatMessage } from './schemas.ts'

export type MessageStatus = 'complete' | 'aborted' | 'error'

export interface PublicUser {
  id: number
  email: string
}

export interface ChatSummary {
  id: number
  title: string
  createdAt: string
  updatedAt: string
}

export interface StoredMessage {
  id: number
  role: ChatMessage['role']
  content: string
  status: MessageStatus
  model: string | null
  promptTokens: number | null
  completionTokens: number | null
  createdAt: string
}

export interface ChatWithMessages extends ChatSummary {
  messages: StoredMessage[]
}

/**
 * The chat stream's message metadata: `start` carries generationId (for the stop route) and,
 * in saved chats, userMessageId; `finish` (or a `message-metadata` frame before an error)
 * carries the stored answer's id, status and Workers AI's token usage.
 */
export interface ChatStreamMetadata {
  generationId?: string
  userMessageId?: number
  assistantMessageId?: number
  status?: MessageStatus
  usage?: { promptTokens?: number, completionTokens?: number }
}

/** GET /api/health */
export interface HealthStatus {
  ok: boolean
  database: 'up' | 'down'
  ai: 'workers-ai' | 'emulator' | 'unconfigured'
}
