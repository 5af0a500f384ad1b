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
  /** Characters in the comment of an answer's feedback. */
  maxFeedbackCommentChars: 1000,
  minPasswordLength: 8,
  /** Long passphrases are fine; unbounded ones would make hashing a denial-of-service vector. */
  maxPasswordLength: 256,
  maxEmailLength: 254,
  /** chat_id is stored as a PostgreSQL integer. */
  maxChatId: 2_147_483_647,
  /**
   * One page of a chat (GET /api/chats/:id, and what the chat page renders on the server): the
   * newest messages up to this many bytes of message text (UTF-8), at least one message. About
   * what a model's input budget holds, and a bound on the server's markdown work for one page
   * (an answer's thinking is shown as plain text and not counted, so a long one does not push
   * its own question off the page).
   */
  chatPageBytes: 64 * 1024,
  /** Messages in one page of a chat. */
  chatPageMessages: 40,
  /** Characters in an API key's name. */
  maxApiKeyNameChars: 100,
  /** Characters of a search of the user's chats (GET /api/chats?q=). */
  maxSearchChars: 200,
} as const

/**
 * Images on user messages (README: "Images"). The browser scales a picture down to
 * `maxImageSide` before it sends it, so a photo rarely comes near `maxImageBytes`.
 */
export const IMAGE_LIMITS = {
  /** Bytes of one image, decoded. */
  maxImageBytes: 2 * 1024 * 1024,
  /** Images on one message. */
  maxImagesPerMessage: 4,
  /** Images a request carries as data, all messages together (a saved chat refers to stored ones by URL). */
  maxImagesPerRequest: 4,
  /**
   * Bytes of a chat request's body: the text limit plus the images as base64 (4 bytes per 3).
   * Only the chat endpoint takes this much; every other JSON route keeps `LIMITS.maxBodyBytes`.
   */
  maxChatBodyBytes: 1024 * 1024 + Math.ceil(4 * 2 * 1024 * 1024 * 4 / 3) + 64 * 1024,
  /** Longest side, in pixels, the browser scales a picture down to (a model's own limit may be lower). */
  maxImageSide: 1568,
  /** The types accepted, as the content's first bytes say (never its name or declared type). */
  types: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
} as const

export type ImageMediaType = (typeof IMAGE_LIMITS.types)[number]

/**
 * Defaults of the configurable limits (environment variables named in .env.example).
 */
export const DEFAULTS = {
  /** CHAT_RATE_LIMIT_PER_MINUTE: chat turns per user. */
  chatRateLimitPerMinute: 30,
  /** API_RATE_LIMIT_PER_MINUTE: other signed-in API requests per user. */
  apiRateLimitPerMinute: 600,
  /** CHAT_CREATE_RATE_LIMIT_PER_MINUTE: new chats (POST /api/chats) per user. */
  chatCreateRateLimitPerMinute: 20,
  /** MAX_CHATS_PER_USER */
  maxChatsPerUser: 1000,
  /** MAX_API_KEYS_PER_USER: API keys one user may hold at once. */
  maxApiKeysPerUser: 50,
  /** USER_STORAGE_QUOTA_MB: message text, thinking and images a user may keep, in MiB (UTF-8 bytes, image bytes). */
  storageQuotaMb: 50,
  /** LOGIN_RATE_LIMIT_PER_ACCOUNT: failed password checks per account (log-in, password change) per window. */
  loginFailuresPerAccount: 10,
  /** LOGIN_RATE_LIMIT_PER_IP: failed log-ins per client address per window. */
  loginFailuresPerIp: 50,
  /** The log-in throttle's window. */
  loginWindowMinutes: 15,
  /** SIGNUP_RATE_LIMIT_PER_IP: sign-ups per client address per hour. */
  signUpsPerIpPerHour: 5,
  /** SIGNUP_RATE_LIMIT_PER_HOUR: sign-ups per hour, all clients together. */
  signUpsPerHour: 100,
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  /** CHAT_DAILY_NEURON_LIMIT: 0 means no cap. */
  dailyNeuronLimit: 0,
  /** CHAT_MAX_CONCURRENT_ANSWERS: answers in saved chats one user may have generating at once, across instances. */
  maxConcurrentAnswers: 3,
  /** A `streaming` answer its server has not written for this long is dead (its instance died). */
  answerStaleMs: 20_000,
  /** How long an answer the database could not take is kept and retried. */
  storeRetryMs: 120_000,
  /** Bytes of such answers one instance keeps at most; past it an answer is given up at once. */
  storeRetryMaxBytes: 32 * 1024 * 1024,
} as const
