import { z } from 'zod'
import type { ChatSummary } from './api.ts'
import { ERRORS } from './errors.ts'
import { LIMITS } from './limits.ts'

export const SEARCH_LIMITS = {
  /** Chats one search answers at most, best first. */
  results: 50,
} as const

/** A piece of a snippet: the words the search found are `highlight`ed. Plain text, never HTML. */
export interface HighlightPart {
  text: string
  highlight: boolean
}

/** GET /api/chats?q=: a chat that matched, with where its words were found. */
export interface ChatSearchHit extends ChatSummary {
  /** Relevance, higher first: a title that matches counts most, then the messages' matches. */
  rank: number
  /** The best matching message's text around the words found; null when only the title matched. */
  snippet: { messageId: number, role: 'user' | 'assistant', parts: HighlightPart[] } | null
}

/** GET /api/chats[?q=]: without q (or a blank one), the whole list. */
export const chatListQuerySchema = z.object({
  q: z.string({ error: ERRORS.searchInvalid }).max(LIMITS.maxSearchChars, { error: ERRORS.searchInvalid })
    .refine(value => !value.includes('\u0000'), { error: ERRORS.nulCharacter })
    .optional(),
})
