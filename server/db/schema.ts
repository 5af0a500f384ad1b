import { sql } from 'drizzle-orm'
import { bigint, boolean, customType, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core'

/** PostgreSQL's full-text search document (read by ts_rank and @@ in SQL, never by the app). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** One schema for PGlite and PostgreSQL. */
export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull(),
  /** Null for an account made by single sign-on: it signs in with its provider or a passkey only. */
  passwordHash: text('password_hash'),
  /** Bumped by "log out everywhere" and password changes; sessions carry the version they saw. */
  sessionVersion: integer('session_version').notNull().default(1),
  /** The model of the user's last turn or pick: new chats start with it. */
  lastModel: text('last_model'),
  /** The UI language the user chose (a LocaleCode); null follows the browser's language. */
  locale: text('locale'),
  /** UTF-8 bytes of the user's stored message text and thinking, kept by triggers on messages (the storage quota). */
  storedBytes: bigint('stored_bytes', { mode: 'number' }).notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set by an admin (or by the database for the first account: see the team_admin_sql migration). ADMIN_EMAILS adds admins at request time. */
  isAdmin: boolean('is_admin').notNull().default(false),
  /** A disabled user's sessions and API keys are refused (the session check reads this), and they cannot sign in. */
  disabled: boolean('disabled').notNull().default(false),
  /** Replaces CHAT_DAILY_NEURON_LIMIT for this user (0: no cap); null follows it. */
  dailyNeuronLimit: doublePrecision('daily_neuron_limit'),
  /** The models (catalogue names) the user may use; null: all of them. */
  allowedModels: text('allowed_models').array(),
  /** The last sign-in, or the last request, written at most every few minutes (the admin page). */
  lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
}, table => [
  uniqueIndex('users_email_lower_idx').on(sql`lower(${table.email})`),
])

export const chats = pgTable('chats', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  /** The model the next turn uses (null: the default). */
  model: text('model'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** Where the title came from: a generated title replaces only a fallback one, never the user's. */
  titleSource: text('title_source', { enum: ['fallback', 'generated', 'user'] }).notNull().default('fallback'),
  /** Pinned chats come first in the chat list. */
  pinned: boolean('pinned').notNull().default(false),
}, table => [
  index('chats_user_updated_idx').on(table.userId, table.updatedAt),
])

export const messages = pgTable('messages', {
  id: serial('id').primaryKey(),
  chatId: integer('chat_id').notNull().references(() => chats.id, { onDelete: 'cascade' }),
  role: text('role', { enum: ['user', 'assistant'] }).notNull(),
  content: text('content').notNull(),
  /** `streaming` while its generation runs: `content` is then its last checkpoint. */
  status: text('status', { enum: ['complete', 'aborted', 'error', 'streaming'] }).notNull().default('complete'),
  model: text('model'),
  promptTokens: integer('prompt_tokens'),
  completionTokens: integer('completion_tokens'),
  /** What the answer cost, in Neurons and in US dollars at the price of the day. */
  neurons: doublePrecision('neurons'),
  costUsd: doublePrecision('cost_usd'),
  /** The model's thinking, apart from the answer; never sent back to the model. */
  reasoning: text('reasoning'),
  reasoningMs: integer('reasoning_ms'),
  finishReason: text('finish_reason', { enum: ['stop', 'length'] }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** The generation that writes this answer (answers only): its checkpoints and final write name it. */
  generationId: text('generation_id'),
  /** When the generation last wrote (database time); a `streaming` answer not written for long is dead. */
  checkpointAt: timestamp('checkpoint_at', { withTimezone: true }),
  /** False for an answer that ended while nobody was reading it, until its chat is opened (unread). */
  seen: boolean('seen').notNull().default(true),
  /**
   * The text's words for search (server/utils/chat-search.ts), kept by the database. 'simple'
   * (no stemming, no stop words) because a user's chats are in any language. Stored, so ranking
   * thousands of matches reads them instead of parsing each text again. Set by a trigger
   * (message_search migration) once a message is no longer `streaming`: an answer's checkpoints
   * rewrite its growing text every second, and parsing it each time cost the relay a third of
   * its throughput; null until then.
   */
  search: tsvector('search'),
  /**
   * The message this one follows (null: the chat's first). Messages form a tree: an edited
   * question or a regenerated answer is a new child of the same parent, beside the old version.
   */
  parentId: integer('parent_id').references((): AnyPgColumn => messages.id, { onDelete: 'cascade' }),
  /** On the chat's active path, the one conversation its history, export and the model read. */
  active: boolean('active').notNull().default(true),
}, table => [
  index('messages_chat_id_idx').on(table.chatId, table.id),
  // An answer still generating is left out: its checkpoints do not touch the index; it enters once, when it ends.
  index('messages_search_idx').using('gin', table.search).where(sql`${table.status} <> 'streaming'`),
  index('messages_parent_idx').on(table.parentId, table.id),
  index('messages_streaming_idx').on(table.chatId).where(sql`${table.status} = 'streaming'`),
  index('messages_unseen_idx').on(table.chatId).where(sql`not ${table.seen}`),
])

/**
 * Workers AI use per user, UTC day and model, added to as each answer is stored (playground
 * answers too). The usage page reads it, and the daily Neuron cap sums today's rows; deleting
 * messages does not give spending back.
 */
export const dailyUsage = pgTable('daily_usage', {
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  day: date('day', { mode: 'string' }).notNull(),
  model: text('model').notNull(),
  answers: integer('answers').notNull().default(0),
  promptTokens: bigint('prompt_tokens', { mode: 'number' }).notNull().default(0),
  completionTokens: bigint('completion_tokens', { mode: 'number' }).notNull().default(0),
  neurons: doublePrecision('neurons').notNull().default(0),
}, table => [
  primaryKey({ columns: [table.userId, table.day, table.model] }),
])

/**
 * Fixed-window counters (rate limits, log-in throttling) shared by every instance. One row per
 * key, reset in place when its window has passed; rows whose window ended are pruned.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  count: integer('count').notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('rate_limits_expires_idx').on(table.expiresAt),
])

/**
 * Sessions ended by log-out, by their id, until their cookie would have expired anyway. The
 * session check reads this in the same statement as the user.
 */
export const revokedSessions = pgTable('revoked_sessions', {
  id: text('id').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
}, table => [
  index('revoked_sessions_expires_idx').on(table.expiresAt),
])

/**
 * Stop requests for generations on Cloudflare Workers, where a stop may reach another isolate
 * than the stream and no LISTEN connection can wait for it: the streaming isolate polls here.
 */
export const generationStops = pgTable('generation_stops', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('generation_stops_user_created_idx').on(table.userId, table.createdAt),
])

/**
 * Personal API keys: a program's credential, standing for the user like a session does. Only a
 * SHA-256 of the key is kept (the key is 256 random bits, so no slow hash is needed); `prefix`
 * is its first characters, shown so the user can tell keys apart. Revoking deletes the row.
 * Sessions ending (log-out everywhere, a new password) leave keys alone.
 */
export const apiKeys = pgTable('api_keys', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  hash: text('hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
}, table => [
  uniqueIndex('api_keys_hash_idx').on(table.hash),
  index('api_keys_user_idx').on(table.userId, table.id),
])

/**
 * Read-only public links to a snapshot of a chat: `id` is the link's unguessable part (at least
 * 128 random bits). The snapshot (title and messages, as the chat page shows them) is taken when
 * the share is created and replaced only when the owner shares the chat again, so later turns
 * stay private. One share per chat; it goes with its chat. Its text counts towards the owner's
 * storage quota (triggers in the shares_search_sql migration).
 */
export const shares = pgTable('shares', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  chatId: integer('chat_id').notNull().references(() => chats.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  /** The snapshot's messages: SharedMessage[] (shared/contract/shares.ts). */
  messages: jsonb('messages').notNull(),
  /** The chat had more messages than a share holds: the snapshot keeps the newest. */
  truncated: boolean('truncated').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  uniqueIndex('shares_chat_idx').on(table.chatId),
  index('shares_user_idx').on(table.userId, table.updatedAt),
])

/**
 * A user's rating of an answer in one of their chats (one per answer), with an optional comment.
 * Deleted with its message; the comment counts towards the user's storage quota.
 */
export const messageFeedback = pgTable('message_feedback', {
  messageId: integer('message_id').primaryKey().references(() => messages.id, { onDelete: 'cascade' }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  rating: text('rating', { enum: ['up', 'down'] }).notNull(),
  comment: text('comment'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('message_feedback_user_idx').on(table.userId),
])

/** Raw bytes (the images' content). */
const bytea = customType<{ data: Uint8Array, driverData: Uint8Array }>({ dataType: () => 'bytea' })

/**
 * Images on user messages, stored with their chat (README: "Images"). `id` is the URL's
 * unguessable part (128 random bits), though ownership is checked anyway. A turn's images are
 * stored before its question (with `message_id` null, so the quota is checked first), then tied
 * to it. `data` holds the bytes (ImageStore in server/utils/image-store.ts; a bucket would keep
 * them instead and leave it null). `byte_size` counts towards the owner's storage quota
 * (triggers in the images_sql migration); the row goes with its chat or message.
 */
export const images = pgTable('images', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  chatId: integer('chat_id').notNull().references(() => chats.id, { onDelete: 'cascade' }),
  messageId: integer('message_id').references(() => messages.id, { onDelete: 'cascade' }),
  /** Its place among its message's images. */
  position: integer('position').notNull().default(0),
  mediaType: text('media_type').notNull(),
  byteSize: integer('byte_size').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  data: bytea('data'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('images_message_idx').on(table.messageId, table.position),
  index('images_chat_idx').on(table.chatId),
])

/**
 * Model licences accepted per Cloudflare account (`account`: the account id, or `binding` on a
 * Worker), so the `agree` prompt is sent once, not before every turn.
 */
export const modelAgreements = pgTable('model_agreements', {
  account: text('account').notNull(),
  model: text('model').notNull(),
  agreedAt: timestamp('agreed_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  primaryKey({ columns: [table.account, table.model] }),
])

/**
 * A user's passkeys (WebAuthn credentials), each one a way to sign in without a password.
 * `credentialId` and `publicKey` are base64url; `counter` is the authenticator's signature count,
 * which must grow on each use when the authenticator keeps one (a clone shows an old count).
 */
export const passkeys = pgTable('passkeys', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  credentialId: text('credential_id').notNull(),
  publicKey: text('public_key').notNull(),
  counter: bigint('counter', { mode: 'number' }).notNull().default(0),
  /** AuthenticatorTransportFuture[]: how the browser may reach the authenticator. */
  transports: jsonb('transports').$type<string[]>().notNull().default([]),
  backedUp: boolean('backed_up').notNull().default(false),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
}, table => [
  uniqueIndex('passkeys_credential_idx').on(table.credentialId),
  index('passkeys_user_idx').on(table.userId, table.id),
])

/**
 * WebAuthn challenges between the options and the answer, by attempt id, for any instance to
 * check. Taking one deletes it, so a replayed answer finds none. A registration's challenge
 * belongs to the signed-in user who asked for it.
 */
export const webauthnChallenges = pgTable('webauthn_challenges', {
  attemptId: text('attempt_id').primaryKey(),
  challenge: text('challenge').notNull(),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
}, table => [
  index('webauthn_challenges_expires_idx').on(table.expiresAt),
])

/**
 * Accounts at single sign-on providers linked to a user: `provider` is `github` or
 * `oidc:<issuer URL>` (a subject is unique only at its issuer), `subject` the provider's stable
 * id of the account. `email` is what the provider last said, kept for the record.
 */
export const userIdentities = pgTable('user_identities', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  provider: text('provider').notNull(),
  subject: text('subject').notNull(),
  email: text('email'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
}, table => [
  uniqueIndex('user_identities_provider_subject_idx').on(table.provider, table.subject),
  index('user_identities_user_idx').on(table.userId),
])

/**
 * Single-use sign-up links for SIGNUP_MODE=invite. Only a SHA-256 of the token is kept (the
 * token is 256 random bits, shown once). Used, revoked and expired invites stay, so a refused
 * link can say why; they go with the admin who made them only in that `created_by` is cleared.
 */
export const invites = pgTable('invites', {
  id: serial('id').primaryKey(),
  tokenHash: text('token_hash').notNull(),
  createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  usedBy: integer('used_by').references(() => users.id, { onDelete: 'set null' }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
}, table => [
  uniqueIndex('invites_token_hash_idx').on(table.tokenHash),
])

/**
 * What admins did, newest last. The actor's and the target's emails are copied in, so the record
 * still says who after either account is deleted (the ids are then cleared).
 */
export const adminAudit = pgTable('admin_audit', {
  id: serial('id').primaryKey(),
  actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
  actorEmail: text('actor_email').notNull(),
  action: text('action').notNull(),
  targetId: integer('target_id').references(() => users.id, { onDelete: 'set null' }),
  targetEmail: text('target_email'),
  details: jsonb('details').notNull().default({}),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('admin_audit_at_idx').on(table.at),
])
