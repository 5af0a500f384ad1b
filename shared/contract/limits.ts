/**
 * Limits of the public API. Each one is named in the error a client gets when it goes over it,
 * so clients and tests import them from here instead of repeating numbers.
 */
export const LIMITS = {
  /** Messages in one chat request (the whole conversation the client sends). */
  maxMessages: 200,
  /** Characters in one message; about 8,000 tokens, well inside the model's window. */
  maxMessageChars: 32_000,
  /** Bytes of a request body on any JSON route; larger bodies get 413 before parsing. */
  maxBodyBytes: 1024 * 1024,
  /** Characters in a chat title. */
  maxTitleChars: 120,
  minPasswordLength: 8,
  /** Long passphrases are fine; unbounded ones would make hashing a denial-of-service vector. */
  maxPasswordLength: 256,
  maxEmailLength: 254,
  /** chat_id is stored as a PostgreSQL integer. */
  maxChatId: 2_147_483_647,
} as const

/**
 * Defaults of the configurable limits (environment variables named in .env.example).
 */
export const DEFAULTS = {
  chatRateLimitPerMinute: 30,
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  /** CHAT_DAILY_NEURON_LIMIT: 0 means no cap. */
  dailyNeuronLimit: 0,
} as const
