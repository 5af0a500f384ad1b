import { sql } from 'drizzle-orm'
import { index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/** One schema for PGlite and PostgreSQL. */
export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull(),
  passwordHash: text('password_hash').notNull(),
  /** Bumped by "log out everywhere" and password changes; sessions carry the version they saw. */
  sessionVersion: integer('session_version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  uniqueIndex('users_email_lower_idx').on(sql`lower(${table.email})`),
])

export const chats = pgTable('chats', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('chats_user_updated_idx').on(table.userId, table.updatedAt),
])

export const messages = pgTable('messages', {
  id: serial('id').primaryKey(),
  chatId: integer('chat_id').notNull().references(() => chats.id, { onDelete: 'cascade' }),
  role: text('role', { enum: ['user', 'assistant'] }).notNull(),
  content: text('content').notNull(),
  status: text('status', { enum: ['complete', 'aborted', 'error'] }).notNull().default('complete'),
  model: text('model'),
  promptTokens: integer('prompt_tokens'),
  completionTokens: integer('completion_tokens'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, table => [
  index('messages_chat_id_idx').on(table.chatId, table.id),
])

/**
 * Fixed-window counters (chat rate limit, log-in throttling) shared by every instance.
 * One row per key, reset in place when its window has passed, so the table never grows per minute.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  count: integer('count').notNull().default(0),
})

/**
 * Stop requests for generations on Cloudflare Workers, where a stop may reach another isolate
 * than the stream and no LISTEN connection can wait for it: the streaming isolate polls here.
 */
export const generationStops = pgTable('generation_stops', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
})
