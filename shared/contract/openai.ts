import { z } from 'zod'
import { ERRORS } from './errors.ts'
import { LIMITS } from './limits.ts'

const text = z.string().max(LIMITS.maxMessageChars, { error: ERRORS.messageTooLong })

/** A message's content: a string, or OpenAI's list of text parts (other parts are refused). */
const contentSchema = z.union([
  text,
  z.array(z.object({ type: z.literal('text'), text })).max(LIMITS.maxMessages),
]).nullable()

export const openAiMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant'], { error: 'role must be "system", "developer", "user" or "assistant"' }),
  content: contentSchema,
})

const optional = <S extends z.ZodType>(schema: S) => schema.nullable().optional()

/**
 * POST /api/v1/chat/completions: OpenAI's request shape, the fields Workers AI can honour.
 * Unknown fields are dropped, as OpenAI-compatible servers do; `stop` is accepted and ignored
 * (no catalogue model takes it on Workers AI).
 */
export const openAiChatRequestSchema = z.object({
  model: z.string({ error: 'model must be a string' }),
  messages: z.array(openAiMessageSchema, { error: ERRORS.messagesMissing })
    .min(1, { error: ERRORS.messagesEmpty })
    .max(LIMITS.maxMessages, { error: ERRORS.tooManyMessages }),
  stream: optional(z.boolean()),
  stream_options: optional(z.object({ include_usage: optional(z.boolean()) })),
  max_tokens: optional(z.int().positive()),
  max_completion_tokens: optional(z.int().positive()),
  temperature: optional(z.number().min(0).max(2)),
  top_p: optional(z.number().gt(0).max(1)),
  stop: optional(z.union([z.string(), z.array(z.string()).max(4)])),
  seed: optional(z.int()),
})

export type OpenAiChatRequest = z.infer<typeof openAiChatRequestSchema>

/** X-Neptun-Chat-Id: a chat id as the chat endpoint's `chat_id` takes it. */
export const chatIdHeaderSchema = z.string().regex(/^\d{1,10}$/, { error: ERRORS.chatIdHeaderInvalid })
  .transform(Number)
  .refine(id => id >= 1 && id <= LIMITS.maxChatId, { error: ERRORS.chatIdHeaderInvalid })
