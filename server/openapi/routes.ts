import { z } from 'zod'
import { TEAM_ROUTES } from './team-routes.ts'
import {
  chatListQuerySchema, chatPageQuerySchema, chatQuerySchema, chatRequestSchema, createApiKeySchema, createChatRequestSchema, ERRORS, feedbackSchema, loginSchema,
  LIMITS, openAiChatRequestSchema, passwordChangeSchema, SEARCH_LIMITS, SHARE_ID_PATTERN, settingsSchema, truncateQuerySchema, updateChatSchema,
} from '#shared/contract'
import {
  apiKeySummarySchema, chatSummarySchema, chatWithMessagesSchema, createdApiKeySchema, currentUserSchema, healthSchema, messageFeedbackSchema,
  chatSearchHitSchema, sharedChatSchema, shareSummarySchema,
  modelConfigurationSchema, openAiChunkSchema, openAiCompletionSchema, openAiModelListSchema, signedInSchema, usageReportSchema, userSettingsSchema,
} from '#shared/contract/responses'
import { passkeyAuthenticateSchema, passkeyRegisterSchema, passkeySummarySchema, passkeyVerifiedSchema, signInMethodsSchema, webAuthnOptionsSchema } from '#shared/contract/sign-in-schemas'

/** How a route authenticates: the session cookie or an API key, an API key only, or not at all. */
export type Access = 'user' | 'apiKey' | 'public'

/** A response in one of several media types, each with its schema when it has one. */
export interface Alternatives {
  description: string
  content: Record<string, z.ZodType | null>
}

/** One operation of the API, in the contract's terms; document.ts turns it into OpenAPI. */
export interface Operation {
  summary: string
  description?: string
  access: Access
  path?: z.ZodObject
  query?: z.ZodObject
  body?: z.ZodType
  /** Status → what the response carries: a JSON schema, its media types (streams, alternatives), or nothing. */
  responses: Record<number, z.ZodType | Alternatives | null>
  /**
   * Error statuses beyond 401 and the API rate limit's 429 (for routes with access) and 500, with
   * what they mean; a 429 here replaces the API rate limit's.
   */
  errors?: Record<number, string>
  tags: string[]
}

const idParams = z.object({ id: z.string().regex(/^\d+$/) })
const shareParams = z.object({ id: z.string().regex(SHARE_ID_PATTERN) })
const messageParams = z.object({ id: z.string().regex(/^\d+$/), messageId: z.string().regex(/^\d+$/) })
const modelParams = z.object({ model_name: z.string().meta({ description: 'The last segment of a Cloudflare model id, e.g. `llama-3.3-70b-instruct-fp8-fast`.' }) })
const generationParams = z.object({ id: z.uuid().meta({ description: 'The `generationId` of the stream\'s `start` frame.' }) })

const CHAT_STREAM = 'The answer as the AI SDK\'s UI message stream (`useChat`): `data: {json}` frames ending in `data: [DONE]`.'
const PLAIN_TEXT = 'With `Accept: text/plain`: the answer as bare UTF-8 text, chunked as it is generated.'

/** Every route the server answers, by path and method. The test of the document checks it against the server's route files. */
export const ROUTES: Record<string, Record<string, Operation>> = {
  ...TEAM_ROUTES,
  '/api/ai/cloudflare/{model_name}/chat': {
    post: {
      tags: ['Chat'],
      summary: 'Stream the answer to a chat turn',
      description: 'The chat endpoint. The last message is the user\'s new one; in a saved chat it and the answer are stored. `is_playground=true` stores nothing. In a saved chat `messages` is the active path: one that leaves the stored path (an edited question, a regenerated answer) starts a new version where it leaves, and the old one stays (`parentId` names the place outright).',
      access: 'user',
      path: modelParams,
      query: chatQuerySchema,
      body: chatRequestSchema,
      responses: { 200: { description: `${CHAT_STREAM} ${PLAIN_TEXT}`, content: { 'text/event-stream': null, 'text/plain': null } } },
      errors: { 400: `${ERRORS.invalidModel}, ${ERRORS.serviceRetired}, ${ERRORS.imageModelCannotSee}, ${ERRORS.imagesTooMany}, ${ERRORS.imageInvalid}, or an invalid query or body`, 403: ERRORS.storageQuotaReached, 404: `${ERRORS.chatNotFound}, ${ERRORS.imageNotFound}, or ${ERRORS.messageNotFound} (parentId)`, 413: `${ERRORS.contextTooLong}, ${ERRORS.imageTooLarge}, or ${ERRORS.chatBodyTooLarge}`, 415: `${ERRORS.unsupportedMediaType}, or ${ERRORS.imageTypeUnsupported}`, 429: `${ERRORS.chatRateLimited}, ${ERRORS.dailyNeuronLimit} or ${ERRORS.tooManyAnswers} (Retry-After)`, 502: ERRORS.upstreamFailed, 504: ERRORS.upstreamTimeout },
    },
  },
  '/api/ai/models': { get: { tags: ['Chat'], summary: 'The model catalogue', access: 'public', responses: { 200: z.array(modelConfigurationSchema) } } },
  '/api/generations/{id}/stop': {
    post: { tags: ['Chat'], summary: 'Stop a running answer', access: 'user', path: generationParams, responses: { 202: null, 204: null }, errors: { 404: ERRORS.generationNotFound } },
  },
  '/api/auth/login': { post: { tags: ['Account'], summary: 'Sign in (sets the neptun-session cookie)', access: 'public', body: loginSchema, responses: { 200: signedInSchema }, errors: { 401: ERRORS.invalidCredentials, 403: ERRORS.passwordSignInDisabled, 429: `${ERRORS.loginThrottled} (Retry-After)` } } },
  '/api/auth/logout': { post: { tags: ['Account'], summary: 'Sign out of this session', access: 'public', responses: { 204: null } } },
  '/api/auth/logout-all': { post: { tags: ['Account'], summary: 'Sign out of every session (API keys stay valid)', access: 'user', responses: { 204: null } } },
  '/api/auth/password': { post: { tags: ['Account'], summary: 'Change the password; other sessions end (API keys stay valid)', access: 'user', body: passwordChangeSchema, responses: { 204: null }, errors: { 400: 'The new password breaks the rules', 401: ERRORS.invalidCredentials, 429: `${ERRORS.passwordThrottled}, or ${ERRORS.apiRateLimited} (Retry-After)` } } },
  '/api/auth/methods': { get: { tags: ['Account'], summary: 'How one may sign in here: password, passkeys, single sign-on providers', access: 'public', responses: { 200: signInMethodsSchema } } },
  '/api/auth/passkeys': { get: { tags: ['Account'], summary: 'The user\'s passkeys', access: 'user', responses: { 200: z.array(passkeySummarySchema) } } },
  '/api/auth/passkeys/{id}': { delete: { tags: ['Account'], summary: 'Remove a passkey', access: 'user', path: idParams, responses: { 204: null }, errors: { 404: ERRORS.passkeyNotFound } } },
  '/api/auth/passkeys/register': { post: { tags: ['Account'], summary: 'Register a passkey (nuxt-auth-utils\' useWebAuthn protocol: options, then the browser\'s answer)', access: 'user', body: passkeyRegisterSchema, responses: { 200: webAuthnOptionsSchema, 201: passkeyVerifiedSchema }, errors: { 400: `${ERRORS.passkeyChallengeInvalid}, ${ERRORS.passkeyVerificationFailed} or ${ERRORS.passkeyRequestInvalid}`, 403: ERRORS.tooManyPasskeys } } },
  '/api/auth/passkeys/authenticate': { post: { tags: ['Account'], summary: 'Sign in with a passkey (sets the neptun-session cookie)', access: 'public', body: passkeyAuthenticateSchema, responses: { 200: z.union([webAuthnOptionsSchema, passkeyVerifiedSchema]) }, errors: { 400: `${ERRORS.passkeyChallengeInvalid} or ${ERRORS.passkeyRequestInvalid}`, 401: ERRORS.passkeyNotRecognised, 429: `${ERRORS.loginThrottled} (Retry-After)` } } },
  '/api/auth/sso/github': { get: { tags: ['Account'], summary: 'Sign in with GitHub: a browser navigation (302 to GitHub, then back here, then to `redirect` or /login?sso_error=…)', access: 'public', responses: { 302: null }, errors: { 404: ERRORS.ssoNotConfigured } } },
  '/api/auth/sso/oidc': { get: { tags: ['Account'], summary: 'Sign in with the OpenID Connect provider: a browser navigation (302 to the provider, then back here, then to `redirect` or /login?sso_error=…)', access: 'public', responses: { 302: null }, errors: { 404: ERRORS.ssoNotConfigured } } },
  '/api/auth/me': { get: { tags: ['Account'], summary: 'The signed-in user', access: 'user', responses: { 200: currentUserSchema } } },
  '/api/settings': {
    get: { tags: ['Account'], summary: 'The user\'s preferences', access: 'user', responses: { 200: userSettingsSchema } },
    patch: { tags: ['Account'], summary: 'Change the user\'s preferences', access: 'user', body: settingsSchema, responses: { 200: userSettingsSchema }, errors: { 400: ERRORS.invalidLocale } },
  },
  '/api/usage': { get: { tags: ['Account'], summary: 'Workers AI use today and this month', access: 'user', responses: { 200: usageReportSchema } } },
  '/api/keys': {
    get: { tags: ['API keys'], summary: 'The user\'s API keys (never the keys themselves)', access: 'user', responses: { 200: z.array(apiKeySummarySchema) } },
    post: { tags: ['API keys'], summary: 'Create an API key, answered this once', access: 'user', body: createApiKeySchema, responses: { 201: createdApiKeySchema }, errors: { 400: ERRORS.apiKeyNameInvalid, 403: `${ERRORS.tooManyApiKeys} (MAX_API_KEYS_PER_USER)` } },
  },
  '/api/keys/{id}': { delete: { tags: ['API keys'], summary: 'Revoke an API key', access: 'user', path: idParams, responses: { 204: null }, errors: { 404: ERRORS.apiKeyNotFound } } },
  '/api/chats': {
    get: {
      tags: ['Chats'],
      summary: 'The user\'s chats, pinned first, then newest first; with q, a search of their titles and messages',
      description: `With \`q\` (PostgreSQL full-text search in websearch syntax: words, "a phrase", -word, or), the chats whose title or message text match, best first, at most ${SEARCH_LIMITS.results}, each with a snippet of its best matching message. Without it (or blank), every chat.`,
      access: 'user',
      query: chatListQuerySchema,
      responses: { 200: z.union([z.array(chatSummarySchema), z.array(chatSearchHitSchema)]) },
      errors: { 400: ERRORS.searchInvalid },
    },
    post: { tags: ['Chats'], summary: 'Create a chat', access: 'user', body: createChatRequestSchema, responses: { 201: chatSummarySchema }, errors: { 400: 'An invalid title, model or message', 403: `${ERRORS.tooManyChats}, or ${ERRORS.storageQuotaReached}`, 429: `${ERRORS.chatCreateRateLimited}, or ${ERRORS.apiRateLimited} (Retry-After)` } },
  },
  '/api/chats/{id}': {
    get: { tags: ['Chats'], summary: 'A chat and one page of its messages', description: `The newest messages up to ${LIMITS.chatPageBytes / 1024} KiB of text and ${LIMITS.chatPageMessages} messages; \`before\` asks for the page before that message.`, access: 'user', path: idParams, query: chatPageQuerySchema, responses: { 200: chatWithMessagesSchema }, errors: { 400: ERRORS.invalidId, 404: ERRORS.chatNotFound } },
    patch: { tags: ['Chats'], summary: 'Rename a chat, change its model, pin or unpin it', access: 'user', path: idParams, body: updateChatSchema, responses: { 200: chatSummarySchema }, errors: { 400: ERRORS.titleInvalid, 404: ERRORS.chatNotFound } },
    delete: { tags: ['Chats'], summary: 'Delete a chat', access: 'user', path: idParams, responses: { 204: null }, errors: { 404: ERRORS.chatNotFound } },
  },
  '/api/chats/{id}/stream': {
    get: { tags: ['Chats'], summary: 'Resume the chat\'s answer in progress', description: 'Everything generated so far at once, then the rest live, ending as the original stream does; 204 when the chat has no answer in progress.', access: 'user', path: idParams, responses: { 200: { description: CHAT_STREAM, content: { 'text/event-stream': null } }, 204: null }, errors: { 404: ERRORS.chatNotFound } },
  },
  '/api/chats/{id}/shares': {
    post: { tags: ['Shares'], summary: 'Share a chat: a public read-only link to a snapshot of it', description: 'A chat shared already keeps its link, and its snapshot is taken anew (200). An answer still generating is left out.', access: 'user', path: idParams, responses: { 200: shareSummarySchema, 201: shareSummarySchema }, errors: { 403: ERRORS.storageQuotaReached, 404: ERRORS.chatNotFound } },
  },
  '/api/shares': { get: { tags: ['Shares'], summary: 'The user\'s shared chats', access: 'user', responses: { 200: z.array(shareSummarySchema) } } },
  '/api/shares/{id}': {
    get: { tags: ['Shares'], summary: 'A shared chat\'s snapshot (public, for anyone with the link)', access: 'public', path: shareParams, responses: { 200: sharedChatSchema }, errors: { 404: ERRORS.shareNotFound } },
    delete: { tags: ['Shares'], summary: 'Revoke a share: its link answers 404', access: 'user', path: shareParams, responses: { 204: null }, errors: { 404: ERRORS.shareNotFound } },
  },
  '/api/images/{id}': {
    get: { tags: ['Chats'], summary: 'An image stored with one of the caller\'s chats', description: 'Served as its sniffed type with `Content-Disposition: inline` and `X-Content-Type-Options: nosniff`. Another user\'s image is a 404.', access: 'user', path: z.object({ id: z.string().regex(/^[\w-]{22}$/) }), responses: { 200: { description: 'The image\'s bytes.', content: { 'image/png': null, 'image/jpeg': null, 'image/webp': null, 'image/gif': null } } }, errors: { 404: ERRORS.imageNotFound } },
  },
  '/api/shares/{id}/images/{imageId}': {
    get: { tags: ['Shares'], summary: 'An image of a shared snapshot (public, for anyone with the link)', description: 'Only the images the snapshot shows, while the share exists; served like GET /api/images/{id}.', access: 'public', path: z.object({ id: z.string().regex(SHARE_ID_PATTERN), imageId: z.string().regex(/^[\w-]{22}$/) }), responses: { 200: { description: 'The image\'s bytes.', content: { 'image/png': null, 'image/jpeg': null, 'image/webp': null, 'image/gif': null } } }, errors: { 404: ERRORS.imageNotFound } },
  },
  '/api/chats/{id}/messages': {
    delete: { tags: ['Chats'], summary: 'Delete a message and every later one', description: 'Every version below it goes too; when it was on the active path, the newest version beside it takes its place.', access: 'user', path: idParams, query: truncateQuerySchema, responses: { 204: null }, errors: { 404: `${ERRORS.chatNotFound} or ${ERRORS.messageNotFound}` } },
  },
  '/api/chats/{id}/messages/{messageId}/activate': {
    post: { tags: ['Chats'], summary: 'Switch to another version of a message', description: 'The chat\'s active path (its history, export and the model\'s context) goes through this message, and below it along the newest versions. Answers the chat with the newest page of the new path, as GET /api/chats/{id}.', access: 'user', path: messageParams, responses: { 200: chatWithMessagesSchema }, errors: { 404: `${ERRORS.chatNotFound} or ${ERRORS.messageNotFound}` } },
  },
  '/api/chats/{id}/messages/{messageId}/feedback': {
    put: { tags: ['Chats'], summary: 'Rate an answer (thumbs up or down, optional comment)', access: 'user', path: messageParams, body: feedbackSchema, responses: { 200: messageFeedbackSchema }, errors: { 400: `${ERRORS.feedbackOnAnswersOnly}, ${ERRORS.feedbackRatingInvalid} or ${ERRORS.feedbackCommentTooLong}`, 403: ERRORS.storageQuotaReached, 404: `${ERRORS.chatNotFound} or ${ERRORS.messageNotFound}` } },
    delete: { tags: ['Chats'], summary: 'Clear the rating of an answer', access: 'user', path: messageParams, responses: { 204: null }, errors: { 400: ERRORS.feedbackOnAnswersOnly, 404: `${ERRORS.chatNotFound} or ${ERRORS.messageNotFound}` } },
  },
  '/api/v1/models': { get: { tags: ['OpenAI-compatible'], summary: 'The live models, in OpenAI\'s list format', access: 'apiKey', responses: { 200: openAiModelListSchema } } },
  '/api/v1/chat/completions': {
    post: {
      tags: ['OpenAI-compatible'],
      summary: 'OpenAI chat completions',
      description: 'Stateless unless the `X-Neptun-Chat-Id` header names one of the user\'s chats: then the last user message and the answer are appended to it. Errors come in OpenAI\'s shape.',
      access: 'apiKey',
      body: openAiChatRequestSchema,
      responses: { 200: { description: 'A chat.completion; with `stream: true`, server-sent chat.completion.chunks ending in `data: [DONE]`.', content: { 'application/json': openAiCompletionSchema, 'text/event-stream': openAiChunkSchema } } },
      errors: { 400: 'An invalid body', 403: `${ERRORS.storageQuotaReached} (with X-Neptun-Chat-Id)`, 404: `${ERRORS.invalidModel} or ${ERRORS.chatNotFound}`, 429: `${ERRORS.chatRateLimited}, ${ERRORS.dailyNeuronLimit} or ${ERRORS.tooManyAnswers} (with X-Neptun-Chat-Id) (Retry-After)`, 502: ERRORS.upstreamBrokenStream },
    },
  },
  '/api/health': { get: { tags: ['Server'], summary: 'Readiness: the database and Workers AI', access: 'public', responses: { 200: healthSchema }, errors: { 503: 'The database is down' } } },
  '/api/openapi.json': { get: { tags: ['Server'], summary: 'This document', access: 'public', responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': null } } } } },
  '/api/_auth/session': {
    get: { tags: ['Internal'], summary: 'The browser\'s session as the UI reads it (nuxt-auth-utils)', access: 'public', responses: { 200: { description: 'The session\'s public data', content: { 'application/json': null } } } },
    delete: { tags: ['Internal'], summary: 'Clear the browser\'s session (nuxt-auth-utils)', access: 'public', responses: { 200: { description: 'The session is cleared', content: { 'application/json': null } } } },
  },
  '/api/_nuxt_icon/{collection}': {
    get: { tags: ['Internal'], summary: 'Icons the UI draws (served from the app\'s own bundle)', access: 'public', path: z.object({ collection: z.string() }), responses: { 200: { description: 'Icon data', content: { 'application/json': null } } }, errors: { 404: 'Unknown collection' } },
  },
  '/docs': { get: { tags: ['Server'], summary: 'This document, rendered', access: 'public', responses: { 200: { description: 'The API reference page', content: { 'text/html': null } } } } },
}
