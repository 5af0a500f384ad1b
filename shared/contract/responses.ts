import { z } from 'zod'
import { API_KEY_PREFIX, type ApiKeySummary, type ChatSummary, type ChatWithMessages, type CurrentUser, type HealthStatus, type StoredMessage, type UserSettings } from './api.ts'
import { FEEDBACK_RATINGS } from './feedback.ts'
import { messageSiblingsSchema } from './branches.ts'
import { LOCALE_CODES } from './locales.ts'
import { IMAGE_LIMITS } from './limits.ts'
import type { ChatSearchHit } from './search.ts'
import type { SharedChat, ShareSummary } from './shares.ts'
import { TITLE_SOURCES } from './titles.ts'
import type { UsageReport } from './usage.ts'

/**
 * The API's response bodies as zod schemas, for the OpenAPI document (server/openapi/). The
 * TypeScript types the server returns must fit them (`ResponseSchemasFit` at the end): a field
 * a schema requires that the type lacks, or a type that differs, fails the typecheck.
 */
const dateTime = z.iso.datetime({ offset: true })

export const apiErrorSchema = z.object({
  statusCode: z.int(),
  statusMessage: z.string(),
}).meta({ id: 'ApiError', description: 'Every error of the API (the OpenAI-compatible routes excepted).' })

export const publicUserSchema = z.object({ id: z.int(), email: z.string() })
export const signedInSchema = z.object({ user: publicUserSchema }).meta({ id: 'SignedIn' })
export const currentUserSchema = z.object({
  user: publicUserSchema,
  lastModel: z.string().nullable(),
  admin: z.boolean().optional().meta({ description: 'An admin: the admin routes and page are theirs.' }),
  allowedModels: z.array(z.string()).nullable().optional().meta({ description: 'The models an admin allowed this user; null: all.' }),
}).meta({ id: 'CurrentUser' })

export const chatSummarySchema = z.object({
  id: z.int(),
  title: z.string(),
  model: z.string().nullable(),
  createdAt: dateTime,
  updatedAt: dateTime,
  answering: z.boolean().meta({ description: 'An answer is being generated in this chat (resume it with GET /api/chats/{id}/stream).' }),
  unread: z.boolean().meta({ description: 'An answer ended while nobody was reading it, and the chat has not been opened since.' }),
  pinned: z.boolean().meta({ description: 'Pinned chats come first in GET /api/chats.' }),
  titleSource: z.enum(TITLE_SOURCES).meta({ description: '`fallback`: the first message cut short, which a title generated after the first answer replaces; `generated`; `user`: renamed, never replaced.' }),
}).meta({ id: 'ChatSummary' })

export const messageFeedbackSchema = z.object({
  rating: z.enum(FEEDBACK_RATINGS),
  comment: z.string().nullable(),
}).meta({ id: 'MessageFeedback' })

export const storedImageSchema = z.object({
  id: z.string(),
  url: z.string().meta({ description: '`/api/images/{id}`, served to the chat\'s owner only.' }),
  mediaType: z.enum(IMAGE_LIMITS.types),
  size: z.int(),
  width: z.int(),
  height: z.int(),
}).meta({ id: 'StoredImage' })

export const storedMessageSchema = z.object({
  id: z.int(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status: z.enum(['complete', 'aborted', 'error', 'streaming']).meta({ description: '`streaming`: the answer is still being generated; `content` and `reasoning` are its last checkpoint.' }),
  generationId: z.string().optional().meta({ description: 'A `streaming` answer\'s generation, for POST /api/generations/{id}/stop.' }),
  model: z.string().nullable(),
  promptTokens: z.int().nullable(),
  completionTokens: z.int().nullable(),
  neurons: z.number().nullable(),
  costUsd: z.number().nullable(),
  reasoning: z.string().nullable(),
  reasoningMs: z.int().nullable(),
  finishReason: z.enum(['stop', 'length']).nullable(),
  createdAt: dateTime,
  feedback: messageFeedbackSchema.nullable().optional().meta({ description: 'The user\'s rating of an answer, if any.' }),
  parentId: z.int().nullable().meta({ description: 'The message this one follows on the active path; null for the first.' }),
  siblings: messageSiblingsSchema,
  files: z.array(storedImageSchema).optional().meta({ description: 'A user message\'s images; absent when it has none.' }),
}).meta({ id: 'StoredMessage' })

export const chatWithMessagesSchema = chatSummarySchema.extend({
  messages: z.array(storedMessageSchema).meta({ description: 'The newest page of messages (or the page before `before`), oldest first.' }),
  hasEarlier: z.boolean().meta({ description: 'Older messages exist: ask again with `before` set to the first message\'s id.' }),
}).meta({ id: 'ChatWithMessages' })

export const userSettingsSchema = z.object({ locale: z.enum(LOCALE_CODES).nullable() }).meta({ id: 'UserSettings' })

export const healthSchema = z.object({
  ok: z.boolean(),
  database: z.enum(['up', 'down']),
  ai: z.enum(['workers-ai', 'emulator', 'unconfigured']),
}).meta({ id: 'HealthStatus' })

const modelUsageTotals = z.object({ answers: z.int(), promptTokens: z.int(), completionTokens: z.int(), neurons: z.number(), usd: z.number() })
const usagePeriodSchema = z.object({ from: z.string(), models: z.array(modelUsageTotals.extend({ model: z.string() })), total: modelUsageTotals })
export const usageReportSchema = z.object({
  today: usagePeriodSchema,
  month: usagePeriodSchema,
  freeDailyNeurons: z.number(),
  dailyNeuronLimit: z.number().nullable(),
  resetsAt: dateTime,
  feedback: z.array(z.object({ model: z.string(), up: z.int(), down: z.int() })).meta({ description: 'The user\'s thumbs up and down on answers, per model that wrote them (all time).' }),
}).meta({ id: 'UsageReport' })

export const modelConfigurationSchema = z.object({
  publisher: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string(),
  type: z.enum(['instruct', 'chat']),
  configuration: z.object({ model: z.string(), parameters: z.record(z.string(), z.union([z.number(), z.boolean()])) }),
}).loose().meta({ id: 'ModelConfiguration', description: 'The seed\'s model configuration; live models add their label, limits, capabilities and pricing.' })

export const apiKeySummarySchema = z.object({
  id: z.int(),
  name: z.string(),
  prefix: z.string().startsWith(API_KEY_PREFIX),
  createdAt: dateTime,
  lastUsedAt: dateTime.nullable(),
}).meta({ id: 'ApiKeySummary' })

export const createdApiKeySchema = apiKeySummarySchema.extend({
  key: z.string().startsWith(API_KEY_PREFIX).meta({ description: 'The key itself: shown only in this response.' }),
}).meta({ id: 'CreatedApiKey' })

const openAiUsageSchema = z.object({ prompt_tokens: z.int(), completion_tokens: z.int(), total_tokens: z.int() })
const identity = { id: z.string(), created: z.int(), model: z.string() }

export const openAiErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.null(), code: z.string().nullable() }),
}).meta({ id: 'OpenAiError' })

export const openAiModelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.int(), owned_by: z.string() })),
}).meta({ id: 'OpenAiModelList' })

export const openAiCompletionSchema = z.object({
  ...identity,
  object: z.literal('chat.completion'),
  choices: z.array(z.object({
    index: z.int(),
    message: z.object({ role: z.literal('assistant'), content: z.string(), reasoning_content: z.string().optional() }),
    logprobs: z.null(),
    finish_reason: z.enum(['stop', 'length']),
  })),
  usage: openAiUsageSchema,
}).meta({ id: 'ChatCompletion' })

export const openAiChunkSchema = z.object({
  ...identity,
  object: z.literal('chat.completion.chunk'),
  choices: z.array(z.object({
    index: z.int(),
    delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional(), reasoning_content: z.string().optional() }),
    logprobs: z.null(),
    finish_reason: z.enum(['stop', 'length']).nullable(),
  })),
  usage: openAiUsageSchema.optional(),
}).meta({ id: 'ChatCompletionChunk', description: 'One `data:` line of the stream; the stream ends with `data: [DONE]`.' })

export const shareSummarySchema = z.object({
  id: z.string().meta({ description: 'The link\'s unguessable part (144 random bits, URL-safe base64).' }),
  url: z.url().meta({ description: 'The public link: /share/{id} on this server.' }),
  chatId: z.int(),
  title: z.string(),
  createdAt: dateTime,
  updatedAt: dateTime.meta({ description: 'When the snapshot was last taken.' }),
}).meta({ id: 'ShareSummary' })

export const sharedChatSchema = z.object({
  title: z.string(),
  messages: z.array(z.object({
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    status: z.enum(['complete', 'aborted', 'error']),
    model: z.string().nullable(),
    reasoning: z.string().nullable(),
    reasoningMs: z.int().nullable(),
    finishReason: z.enum(['stop', 'length']).nullable(),
    files: z.array(storedImageSchema).optional().meta({ description: 'A question\'s images, served at `url` (`/api/shares/{id}/images/{imageId}`) to anyone with the link.' }),
  })),
  truncated: z.boolean().meta({ description: 'The chat was longer than a share holds: these are its newest messages.' }),
  sharedAt: dateTime,
}).meta({ id: 'SharedChat', description: 'A shared snapshot: no ids, nothing that leads to the chat or its owner.' })

const highlightPartSchema = z.object({ text: z.string(), highlight: z.boolean() })
export const chatSearchHitSchema = chatSummarySchema.extend({
  rank: z.number().meta({ description: 'Relevance, higher first: a matching title counts most, then the messages\' matches.' }),
  snippet: z.object({ messageId: z.int(), role: z.enum(['user', 'assistant']), parts: z.array(highlightPartSchema) }).nullable()
    .meta({ description: 'The best matching message\'s text around the words found, as plain-text parts (the found words `highlight`ed); null when only the title matched.' }),
}).meta({ id: 'ChatSearchHit' })

type Fits<T extends U, U> = T
export type ResponseSchemasFit = [
  Fits<ChatSummary, z.output<typeof chatSummarySchema>>,
  Fits<StoredMessage, z.output<typeof storedMessageSchema>>,
  Fits<ChatWithMessages, z.output<typeof chatWithMessagesSchema>>,
  Fits<CurrentUser, z.output<typeof currentUserSchema>>,
  Fits<UserSettings, z.output<typeof userSettingsSchema>>,
  Fits<HealthStatus, z.output<typeof healthSchema>>,
  Fits<UsageReport, z.output<typeof usageReportSchema>>,
  Fits<ApiKeySummary, z.output<typeof apiKeySummarySchema>>,
  Fits<ShareSummary, z.output<typeof shareSummarySchema>>,
  Fits<SharedChat, z.output<typeof sharedChatSchema>>,
  Fits<ChatSearchHit, z.output<typeof chatSearchHitSchema>>,
]
