import type { FinishReason, MessageStatus } from './api.ts'
import type { ImageMediaType } from './limits.ts'

/** A share's public page: the origin plus this plus the share's id. */
export const SHARE_PATH = '/share/'

/** Random bytes in a share's id (144 bits), written as 24 URL-safe base64 characters. */
export const SHARE_ID_BYTES = 18

/**
 * What one share holds at most: the newest messages of the chat up to these. The shared page
 * renders them all, so they bound its server work as the chat page's own page limits do.
 */
export const SHARE_LIMITS = {
  messages: 200,
  /** UTF-8 bytes of message text and thinking. */
  bytes: 256 * 1024,
} as const

/** A message as a share shows it: what the chat page shows, without ids, tokens or cost. */
export interface SharedMessage {
  role: 'user' | 'assistant'
  content: string
  status: MessageStatus
  model: string | null
  reasoning: string | null
  reasoningMs: number | null
  finishReason: FinishReason | null
  /** A question's images, as the snapshot shows them: served at `url` to anyone with the link. */
  files?: SharedImage[]
}

/** An image in a share: `url` is `/api/shares/<share id>/images/<id>`. */
export interface SharedImage {
  id: string
  url: string
  mediaType: ImageMediaType
  size: number
  width: number
  height: number
}

/** GET /api/shares/:id (public): the snapshot, and nothing that leads to its owner or the chat. */
export interface SharedChat {
  title: string
  messages: SharedMessage[]
  /** The chat was longer than a share holds: these are its newest messages. */
  truncated: boolean
  /** When the snapshot was taken (created, or updated by sharing again). */
  sharedAt: string
}

/** POST /api/chats/:id/shares, GET /api/shares: a share as its owner sees it. */
export interface ShareSummary {
  id: string
  /** The public link. */
  url: string
  chatId: number
  title: string
  createdAt: string
  /** When the snapshot was last taken. */
  updatedAt: string
}

/** A share's id in a path (URL-safe base64); anything else names no share (404). */
export const SHARE_ID_PATTERN = /^[\w-]{22,64}$/
