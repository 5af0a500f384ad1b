import type { ImageMediaType } from './limits.ts'
import type { MessageSiblings } from './branches.ts'
import type { LocaleCode } from './locales.ts'
import type { ChatMessage } from './schemas.ts'
import type { MessageFeedback } from './feedback.ts'
import type { TitleSource } from './titles.ts'

/** How an answer ended. */
export type MessageStatus = 'complete' | 'aborted' | 'error'

/**
 * Why a complete answer ended: `stop`, the model finished; `length`, it reached its output
 * budget and was cut off (a reasoning model may have spent it all thinking).
 */
export type FinishReason = 'stop' | 'length'
/** A stored message's status: how it ended, or `streaming` while its answer is being generated. */
export type StoredStatus = MessageStatus | 'streaming'

export interface PublicUser {
  id: number
  email: string
}

/** GET /api/auth/me */
export interface CurrentUser {
  user: PublicUser
  /** The model of the user's last turn (or last pick for a chat): new chats start with it. */
  lastModel: string | null
  /** An admin (the first account, ADMIN_EMAILS, or made one): the admin page is theirs. */
  admin?: boolean
  /** The models an admin allowed this user; null or absent: all of them. */
  allowedModels?: string[] | null
}

/** GET and PATCH /api/settings: the signed-in user's preferences. */
export interface UserSettings {
  /** The UI language the user chose; null follows the browser's language. */
  locale: LocaleCode | null
}

export interface ChatSummary {
  id: number
  title: string
  /** The model the chat answers with next (its last turn's, or the one picked for it); null: the default. */
  model: string | null
  createdAt: string
  updatedAt: string
  /** An answer is being generated in this chat. */
  answering: boolean
  /** An answer ended while nobody was reading it, and the chat has not been opened since. */
  unread: boolean
  /** Pinned chats come first in the list. */
  pinned: boolean
  /** `fallback`: made from the first message; a generated title may still replace it. */
  titleSource: TitleSource
}

export interface StoredMessage {
  id: number
  role: ChatMessage['role']
  /** For a `streaming` answer: its text as far as it was checkpointed. */
  content: string
  status: StoredStatus
  /** A `streaming` answer's generation, for `POST /api/generations/:id/stop`. */
  generationId?: string
  model: string | null
  promptTokens: number | null
  completionTokens: number | null
  /** What the answer cost; estimated from its text when Workers AI reported no usage. */
  neurons: number | null
  costUsd: number | null
  /** The model's thinking before the answer, kept apart from it (never sent back to the model). */
  reasoning: string | null
  /** How long the model thought, in milliseconds. */
  reasoningMs: number | null
  finishReason: FinishReason | null
  createdAt: string
  /** The user's rating of an answer; null when none (and for the user's own messages). */
  feedback?: MessageFeedback | null
  /** The message this one follows on the chat's active path; null for the first. */
  parentId: number | null
  siblings: MessageSiblings
  /** A user message's images, in the order they were sent (absent when it has none). */
  files?: StoredImage[]
}

/** An image stored with a chat: served to its owner at `url` (`GET /api/images/:id`). */
export interface StoredImage {
  id: string
  /** `/api/images/<id>`: what a later turn sends back as the file part's `url`. */
  url: string
  mediaType: ImageMediaType
  /** Bytes. */
  size: number
  width: number
  height: number
}

/** A chat with its newest page of messages (LIMITS.chatPageBytes), oldest first. */
export interface ChatWithMessages extends ChatSummary {
  messages: StoredMessage[]
  /** Older messages exist: GET /api/chats/:id?before=<oldest id here> returns the page before. */
  hasEarlier: boolean
}

/**
 * The chat stream's message metadata: `start` carries generationId (for the stop route) and,
 * in saved chats, userMessageId; `finish` (or a `message-metadata` frame before an error)
 * carries the stored answer's id, status and Workers AI's token usage. An answer that could not
 * be stored at once says so in a `message-metadata` frame (`storage: 'pending'`): it is kept and
 * stored when the database is back, and its `finish` (with the id) or an error frame follows.
 */
export interface ChatStreamMetadata {
  generationId?: string
  userMessageId?: number
  assistantMessageId?: number
  status?: MessageStatus
  usage?: { promptTokens?: number, completionTokens?: number, neurons?: number, costUsd?: number }
  /** The model that writes the answer (in `start`). */
  model?: string
  reasoningMs?: number
  finishReason?: FinishReason
  storage?: 'pending'
}

/** GET /api/health */
export interface HealthStatus {
  ok: boolean
  database: 'up' | 'down'
  ai: 'workers-ai' | 'emulator' | 'unconfigured'
}

/** Where the OpenAI-compatible API lives: an OpenAI client's base URL is the server's origin plus this. */
export const OPENAI_BASE_PATH = '/api/v1'

/** The header that appends an OpenAI-compatible exchange to one of the user's saved chats. */
export const CHAT_ID_HEADER = 'x-neptun-chat-id'

/** Every API key starts with this, so secret scanners can recognise one. */
export const API_KEY_PREFIX = 'nk_'

/** An API key as listed (GET /api/keys): never the key itself. */
export interface ApiKeySummary {
  id: number
  name: string
  /** The key's first characters, to tell keys apart. */
  prefix: string
  createdAt: string
  lastUsedAt: string | null
}

/** POST /api/keys: the new key, shown this once and never again. */
export interface CreatedApiKey extends ApiKeySummary {
  key: string
}

/**
 * The id a stored message has in the UI message stream (the `start` frame's `messageId`) and in
 * `useChat`: an answer that is resumed, or loaded after a reload, keeps the id it streamed under.
 */
export function messageUiId(id: number): string {
  return `db-${id}`
}
