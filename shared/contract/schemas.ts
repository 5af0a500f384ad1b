import { z } from 'zod'
import { ERRORS } from './errors.ts'
import { LIMITS } from './limits.ts'
import { findModel } from './models.ts'
import { LOCALE_CODES } from './locales.ts'
import { TEAM_ERRORS } from './team.ts'

/** PostgreSQL text cannot hold NUL characters: refuse them up front instead of failing the insert. */
const noNul = (value: string) => !value.includes('\u0000')

/**
 * An image on a user message, as the AI SDK's file part: `url` is a base64 `data:` URL (a new
 * image) or `/api/images/<id>` (one stored with this chat). The bytes decide the type; a declared
 * `mediaType` that differs is ignored. Checked further by the server (server/utils/image-input.ts).
 */
export const filePartSchema = z.object({
  type: z.literal('file'),
  mediaType: z.string({ error: ERRORS.imageInvalid }).max(100, { error: ERRORS.imageInvalid }).optional(),
  url: z.string({ error: ERRORS.imageInvalid }).min(1, { error: ERRORS.imageInvalid }),
  filename: z.string().max(255).optional(),
})

/** Other parts of an AI SDK message (text, reasoning, steps) are accepted and ignored: `content` is the text. */
const otherPartSchema = z.looseObject({ type: z.string().refine(type => type !== 'file') })

/** A message of the chat endpoint's body; unknown extra fields are dropped, not rejected. */
export const chatMessageSchema = z.object({
  role: z.enum(['user', 'assistant'], { error: 'role must be "user" or "assistant"' }),
  content: z.string({ error: 'content must be a string' })
    .max(LIMITS.maxMessageChars, { error: ERRORS.messageTooLong })
    .refine(noNul, { error: ERRORS.nulCharacter }),
  isStreaming: z.boolean({ error: 'isStreaming must be a boolean' }).optional(),
  /** Images (user messages only): file parts, as the AI SDK's UI messages carry them. */
  parts: z.array(z.union([filePartSchema, otherPartSchema]), { error: ERRORS.imageInvalid }).max(64, { error: ERRORS.imagesTooMany }).optional(),
})

export const chatRequestSchema = z.object({
  messages: z.array(chatMessageSchema, { error: ERRORS.messagesMissing })
    .min(1, { error: ERRORS.messagesEmpty })
    .max(LIMITS.maxMessages, { error: ERRORS.tooManyMessages })
    .check((ctx) => {
      const last = ctx.value.at(-1)
      if (!last) return
      if (last.role !== 'user') ctx.issues.push({ code: 'custom', message: ERRORS.lastMessageNotUser, input: last, path: [ctx.value.length - 1, 'role'] })
      else if (!last.content.trim() && !imagesOf(last).length) ctx.issues.push({ code: 'custom', message: ERRORS.lastMessageEmpty, input: last, path: [ctx.value.length - 1, 'content'] })
    }),
  /**
   * Optional, saved chats only: the stored message the new question follows (null: it is a new
   * version of the chat's first message). Without it the server finds where `messages` leaves
   * the chat's active path.
   */
  parentId: z.int({ error: ERRORS.invalidId }).min(1, { error: ERRORS.invalidId }).max(LIMITS.maxChatId, { error: ERRORS.invalidId }).nullable().optional(),
})

export type ChatMessage = z.infer<typeof chatMessageSchema>
export type FilePart = z.infer<typeof filePartSchema>

/** A message's images (its file parts). */
export function imagesOf(message: Pick<ChatMessage, 'parts'>): FilePart[] {
  return (message.parts ?? []).filter((part): part is FilePart => part.type === 'file')
}
export type ChatRequest = z.infer<typeof chatRequestSchema>

const INTEGER = /^-?\d+$/

/** chat_id: a plain decimal integer in PostgreSQL's integer range; no 1e3, 0x10, 1.5 or blanks. */
export const chatIdSchema = z.unknown().optional().transform((value, ctx) => {
  if (value === undefined) {
    ctx.issues.push({ code: 'custom', message: ERRORS.chatIdMissing, input: value })
    return z.NEVER
  }
  if (typeof value !== 'string' || !INTEGER.test(value)) {
    ctx.issues.push({ code: 'custom', message: ERRORS.chatIdNotInteger, input: value })
    return z.NEVER
  }
  const id = Number(value)
  if (id > LIMITS.maxChatId || id < -LIMITS.maxChatId - 1) {
    ctx.issues.push({ code: 'custom', message: ERRORS.chatIdOutOfRange, input: value })
    return z.NEVER
  }
  return id === 0 ? 0 : id // -0 is 0
})

export const isPlaygroundSchema = z.unknown().optional().transform((value, ctx) => {
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  ctx.issues.push({ code: 'custom', message: ERRORS.isPlaygroundInvalid, input: value })
  return z.NEVER
})

export const chatQuerySchema = z.object({
  chat_id: chatIdSchema,
  is_playground: isPlaygroundSchema,
})

export type ChatQuery = z.infer<typeof chatQuerySchema>

export const credentialsSchema = z.object({
  email: z.string({ error: ERRORS.invalidEmail }).trim().toLowerCase().max(LIMITS.maxEmailLength, { error: ERRORS.invalidEmail }).pipe(z.email({ error: ERRORS.invalidEmail })).refine(noNul, { error: ERRORS.invalidEmail }),
  password: z.string({ error: ERRORS.passwordTooShort })
    .min(LIMITS.minPasswordLength, { error: ERRORS.passwordTooShort })
    .max(LIMITS.maxPasswordLength, { error: ERRORS.passwordTooLong }),
})

/** POST /api/auth/sign-up: `invite` is the token of an invite link (SIGNUP_MODE=invite). */
export const signUpSchema = credentialsSchema.extend({
  invite: z.string().max(100).optional(),
})

/** Log-in checks nothing but presence: a short password simply does not match. */
export const loginSchema = z.object({
  email: z.string({ error: ERRORS.invalidCredentials }).trim().toLowerCase().max(LIMITS.maxEmailLength, { error: ERRORS.invalidCredentials }).refine(noNul, { error: ERRORS.invalidCredentials }),
  password: z.string({ error: ERRORS.invalidCredentials }).max(LIMITS.maxPasswordLength, { error: ERRORS.invalidCredentials }),
})

/** POST /api/auth/password: the current password, and a new one under the sign-up rules. */
export const passwordChangeSchema = z.object({
  currentPassword: loginSchema.shape.password,
  newPassword: credentialsSchema.shape.password,
})

export const chatTitleSchema = z.string({ error: ERRORS.titleInvalid }).trim().min(1, { error: ERRORS.titleInvalid }).max(LIMITS.maxTitleChars, { error: ERRORS.titleInvalid }).refine(noNul, { error: ERRORS.nulCharacter })

/** A model a chat can answer with: a live catalogue name (a retired one gets its own message). */
export const chatModelSchema = z.string({ error: ERRORS.invalidModel }).check((ctx) => {
  const model = findModel(ctx.value)
  if (!model) ctx.issues.push({ code: 'custom', message: ERRORS.invalidModel, input: ctx.value })
  else if (model.retired) ctx.issues.push({ code: 'custom', message: ERRORS.serviceRetired, input: ctx.value })
})

export const createChatSchema = z.object({ title: chatTitleSchema.optional(), model: chatModelSchema.optional() })
/**
 * POST /api/chats: `messages` lets the playground's "Save as chat" keep its conversation; without
 * `model` the chat starts with the user's last used model.
 */
export const createChatRequestSchema = createChatSchema.extend({
  messages: z.array(chatMessageSchema).max(LIMITS.maxMessages, { error: ERRORS.tooManyMessages }).optional(),
})
/** PATCH /api/chats/:id: a new title, a new model for the next turn, pinned or not; any of them (none: the title is missing). */
export const updateChatSchema = z.object({ title: chatTitleSchema.optional(), model: chatModelSchema.optional(), pinned: z.boolean({ error: ERRORS.pinnedInvalid }).optional() })
  .refine(body => body.title !== undefined || body.model !== undefined || body.pinned !== undefined, { error: ERRORS.titleInvalid, path: ['title'] })

/** A positive id in a path or query (chats, messages). */
export const idSchema = z.string().regex(/^\d{1,10}$/, { error: ERRORS.invalidId })
  .transform(Number)
  .refine(id => id >= 1 && id <= LIMITS.maxChatId, { error: ERRORS.invalidId })

/** PATCH /api/settings: every field optional; `locale: null` goes back to the browser's language. */
export const settingsSchema = z.object({
  locale: z.enum(LOCALE_CODES, { error: ERRORS.invalidLocale }).nullable().optional(),
})

/** POST /api/keys: a name to tell the key apart (where it is used). */
export const createApiKeySchema = z.object({
  name: z.string({ error: ERRORS.apiKeyNameInvalid }).trim().min(1, { error: ERRORS.apiKeyNameInvalid }).max(LIMITS.maxApiKeyNameChars, { error: ERRORS.apiKeyNameInvalid }).refine(noNul, { error: ERRORS.nulCharacter }),
})

export const chatParamsSchema = z.object({ id: idSchema })
export const generationParamsSchema = z.object({ id: z.uuid() })
export const truncateQuerySchema = z.object({ from: idSchema })
export const chatPageQuerySchema = z.object({ before: idSchema.optional() })

/** Turns the first zod issue into the statusMessage a client sees. */
const OWN_MESSAGES = new Set<string>([...Object.values(ERRORS), ...Object.values(TEAM_ERRORS)])

export function firstIssueMessage(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'Invalid request'
  const known = issue.message
  // Our own messages are complete sentences; zod's defaults get the field path in front.
  const path = issue.path.length ? `${issue.path.join('.')}: ` : ''
  return OWN_MESSAGES.has(known) ? known : `Invalid request body: ${path}${known}`
}
