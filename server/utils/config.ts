import { DEFAULTS, SIGNUP_MODES, type SignUpMode } from '#shared/contract'
import { ON_WORKERS } from './runtime.ts'

/**
 * Every server setting in one place: the variable it comes from and its default. Each one is
 * documented in `.env.example`. Read from the environment at run time (Nitro maps only NUXT_*
 * names into runtimeConfig, and wrangler's CLOUDFLARE_* names must work as they are).
 *
 * @example const { chatPerMinute } = serverConfig().limits
 */
export interface ServerConfig {
  /** DATABASE_URL: unset → PGlite in ./.data/pglite; `pglite://dir`, `memory://` or `postgres://…`. */
  databaseUrl: string | undefined
  /** DATABASE_POOL_MAX: connections per instance (PostgreSQL). */
  databasePoolMax: number
  /**
   * CHAT_DAILY_NEURON_LIMIT: Neurons a user may spend per UTC day; past it the chat endpoint
   * answers 429 until midnight UTC. 0 (the default) turns it off.
   */
  dailyNeuronLimit: number
  /** Per-user and per-client limits; 0 turns one off. Defaults in DEFAULTS (shared/contract/limits.ts). */
  limits: {
    /** CHAT_RATE_LIMIT_PER_MINUTE: chat requests per user per minute. */
    chatPerMinute: number
    /** API_RATE_LIMIT_PER_MINUTE: other signed-in API requests per user per minute. */
    apiPerMinute: number
    /** CHAT_CREATE_RATE_LIMIT_PER_MINUTE: new chats per user per minute. */
    chatCreatesPerMinute: number
    /** MAX_CHATS_PER_USER: chats one user may keep. */
    chatsPerUser: number
    /** MAX_API_KEYS_PER_USER: API keys one user may hold. */
    apiKeysPerUser: number
    /** USER_STORAGE_QUOTA_MB: bytes of message text one user may keep (set in MiB). */
    storageBytesPerUser: number
    /** LOGIN_RATE_LIMIT_PER_ACCOUNT: failed password checks per account per log-in window. */
    loginFailuresPerAccount: number
    /** LOGIN_RATE_LIMIT_PER_IP: failed log-ins per client address per log-in window. */
    loginFailuresPerIp: number
    /** SIGNUP_RATE_LIMIT_PER_IP: sign-ups per client address per hour. */
    signUpsPerIpPerHour: number
    /** SIGNUP_RATE_LIMIT_PER_HOUR: sign-ups per hour, all clients together. */
    signUpsPerHour: number
    /** CHAT_MAX_CONCURRENT_ANSWERS: answers in saved chats one user may have generating at once. */
    answersAtOncePerUser: number
  }
  /** CHAT_FIRST_TOKEN_TIMEOUT_MS: no first token by then → 504. */
  firstTokenTimeoutMs: number
  /** CHAT_IDLE_TIMEOUT_MS: no token for this long once streaming → the answer ends as an error. */
  idleTimeoutMs: number
  /**
   * TRUST_PROXY: how many reverse proxies stand in front of the app (`true` means 1). The client's
   * address is the one the outermost of them saw; with 0 it is the socket's peer.
   */
  trustedProxyHops: number
  /** CHAT_ANSWER_STALE_MS: a generating answer not checkpointed for this long is dead (its instance died). */
  answerStaleMs: number
  /** CHAT_STORE_RETRY_MS: how long an answer the database could not take is kept and retried. */
  storeRetryMs: number
  /** CHAT_STORE_RETRY_MAX_BYTES: bytes of such answers one instance keeps at most. */
  storeRetryMaxBytes: number
  /** How one signs in, besides passkeys (README, "Sign-in: passkeys and single sign-on"). */
  signIn: SignInConfig
  /** SIGNUP_MODE: `open` (default), `invite` (an admin's invite link) or `closed` (admins create accounts). */
  signUpMode: SignUpMode
  /** ADMIN_EMAILS: comma-separated, lower-cased; these accounts are admins whatever their row says. */
  adminEmails: ReadonlySet<string>
  /** NUXT_SESSION_PASSWORD: seals the session cookie (nuxt-auth-utils reads it too). */
  sessionPassword: string
  cloudflare: {
    /** CLOUDFLARE_ACCOUNT_ID (or NUXT_CLOUDFLARE_ACCOUNT_ID). */
    accountId: string
    /** CLOUDFLARE_API_TOKEN (or NUXT_CLOUDFLARE_API_TOKEN). */
    apiToken: string
    /** CLOUDFLARE_API_BASE_URL: replaces Cloudflare's API base (the emulator, a proxy). */
    apiBaseUrl: string
    /** CLOUDFLARE_AI_GATEWAY_ID: route calls through this AI Gateway. */
    aiGatewayId: string | undefined
    /** NUXT_AI_EMULATOR: the base URL is the bundled emulator (the UI shows a banner). */
    emulator: boolean
  }
}

export interface SignInConfig {
  /** AUTH_PASSWORD: `false` turns password log-in and sign-up off (single sign-on and passkeys only). */
  password: boolean
  /**
   * AUTH_SSO_SIGNUP: whether single sign-on may create accounts. `true`: always (the provider's
   * directory decides who belongs, whatever SIGNUP_MODE says); `false`: never, existing accounts
   * only; unset: as SIGNUP_MODE allows a sign-up without an invite.
   */
  ssoSignUp: boolean | undefined
  /** NUXT_OAUTH_GITHUB_CLIENT_ID and _SECRET; the URLs for GitHub Enterprise Server. Undefined: off. */
  github: { clientId: string, clientSecret: string, serverUrl: string, apiUrl: string } | undefined
  /**
   * OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME (the button's label); OIDC_TRUST_EMAIL:
   * an email without an email_verified claim counts as verified. Undefined: off.
   */
  oidc: { issuer: string, clientId: string, clientSecret: string, name: string, trustEmail: boolean } | undefined
}

export const CLOUDFLARE_API_BASE_URL = 'https://api.cloudflare.com/client/v4'

/** A positive number, or `fallback` when unset, empty or not a number. */
function positive(value: string | undefined, fallback: number): number {
  const number = Number(value)
  return value && number > 0 ? number : fallback
}

/** A number of at least 0 (0 usually turns a limit off), or `fallback` when unset or not a number. */
function atLeastZero(value: string | undefined, fallback: number): number {
  const number = Number(value)
  return value !== undefined && value !== '' && number >= 0 ? number : fallback
}

function withoutTrailingSlashes(url: string): string {
  let end = url.length
  while (end > 0 && url[end - 1] === '/') end--
  return url.slice(0, end)
}

/** Unset: open. A value that is not a mode (a typo) closes sign-up rather than opening it. */
function signUpMode(value: string | undefined): SignUpMode {
  const mode = value?.trim().toLowerCase()
  if (!mode) return 'open'
  return SIGNUP_MODES.find(known => known === mode) ?? 'closed'
}

function readConfig(env: Record<string, string | undefined>): ServerConfig {
  const runtime = useRuntimeConfig()
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolMax: positive(env.DATABASE_POOL_MAX, 10),
    dailyNeuronLimit: atLeastZero(env.CHAT_DAILY_NEURON_LIMIT, DEFAULTS.dailyNeuronLimit),
    limits: {
      chatPerMinute: atLeastZero(env.CHAT_RATE_LIMIT_PER_MINUTE, DEFAULTS.chatRateLimitPerMinute),
      apiPerMinute: atLeastZero(env.API_RATE_LIMIT_PER_MINUTE, DEFAULTS.apiRateLimitPerMinute),
      chatCreatesPerMinute: atLeastZero(env.CHAT_CREATE_RATE_LIMIT_PER_MINUTE, DEFAULTS.chatCreateRateLimitPerMinute),
      chatsPerUser: atLeastZero(env.MAX_CHATS_PER_USER, DEFAULTS.maxChatsPerUser),
      apiKeysPerUser: atLeastZero(env.MAX_API_KEYS_PER_USER, DEFAULTS.maxApiKeysPerUser),
      storageBytesPerUser: Math.round(atLeastZero(env.USER_STORAGE_QUOTA_MB, DEFAULTS.storageQuotaMb) * 1024 * 1024),
      loginFailuresPerAccount: atLeastZero(env.LOGIN_RATE_LIMIT_PER_ACCOUNT, DEFAULTS.loginFailuresPerAccount),
      loginFailuresPerIp: atLeastZero(env.LOGIN_RATE_LIMIT_PER_IP, DEFAULTS.loginFailuresPerIp),
      signUpsPerIpPerHour: atLeastZero(env.SIGNUP_RATE_LIMIT_PER_IP, DEFAULTS.signUpsPerIpPerHour),
      signUpsPerHour: atLeastZero(env.SIGNUP_RATE_LIMIT_PER_HOUR, DEFAULTS.signUpsPerHour),
      answersAtOncePerUser: atLeastZero(env.CHAT_MAX_CONCURRENT_ANSWERS, DEFAULTS.maxConcurrentAnswers),
    },
    firstTokenTimeoutMs: positive(env.CHAT_FIRST_TOKEN_TIMEOUT_MS, DEFAULTS.firstTokenTimeoutMs),
    idleTimeoutMs: positive(env.CHAT_IDLE_TIMEOUT_MS, DEFAULTS.idleTimeoutMs),
    trustedProxyHops: env.TRUST_PROXY === 'true' ? 1 : Math.floor(atLeastZero(env.TRUST_PROXY, 0)),
    answerStaleMs: positive(env.CHAT_ANSWER_STALE_MS, DEFAULTS.answerStaleMs),
    storeRetryMs: atLeastZero(env.CHAT_STORE_RETRY_MS, DEFAULTS.storeRetryMs),
    storeRetryMaxBytes: atLeastZero(env.CHAT_STORE_RETRY_MAX_BYTES, DEFAULTS.storeRetryMaxBytes),
    signIn: readSignInConfig(env),
    signUpMode: signUpMode(env.SIGNUP_MODE),
    adminEmails: new Set((env.ADMIN_EMAILS ?? '').split(',').map(email => email.trim().toLowerCase()).filter(Boolean)),
    sessionPassword: env.NUXT_SESSION_PASSWORD ?? runtime.session?.password ?? '',
    cloudflare: {
      accountId: env.CLOUDFLARE_ACCOUNT_ID || runtime.cloudflare.accountId,
      apiToken: env.CLOUDFLARE_API_TOKEN || runtime.cloudflare.apiToken,
      apiBaseUrl: withoutTrailingSlashes(env.CLOUDFLARE_API_BASE_URL || runtime.cloudflare.apiBaseUrl || CLOUDFLARE_API_BASE_URL),
      aiGatewayId: env.CLOUDFLARE_AI_GATEWAY_ID || runtime.cloudflare.aiGatewayId || undefined,
      emulator: runtime.aiEmulator === true || env.NUXT_AI_EMULATOR === 'true',
    },
  }
}

function readSignInConfig(env: Record<string, string | undefined>): SignInConfig {
  const github = { id: env.NUXT_OAUTH_GITHUB_CLIENT_ID, secret: env.NUXT_OAUTH_GITHUB_CLIENT_SECRET }
  const oidc = { issuer: env.OIDC_ISSUER, id: env.OIDC_CLIENT_ID }
  return {
    password: env.AUTH_PASSWORD !== 'false',
    ssoSignUp: env.AUTH_SSO_SIGNUP === 'true' ? true : env.AUTH_SSO_SIGNUP === 'false' ? false : undefined,
    github: github.id && github.secret
      ? {
          clientId: github.id,
          clientSecret: github.secret,
          serverUrl: withoutTrailingSlashes(env.NUXT_OAUTH_GITHUB_SERVER_URL || 'https://github.com'),
          apiUrl: withoutTrailingSlashes(env.NUXT_OAUTH_GITHUB_API_URL || 'https://api.github.com'),
        }
      : undefined,
    oidc: oidc.issuer && oidc.id
      ? { issuer: oidc.issuer, clientId: oidc.id, clientSecret: env.OIDC_CLIENT_SECRET ?? '', name: env.OIDC_NAME || 'OpenID Connect', trustEmail: env.OIDC_TRUST_EMAIL === 'true' }
      : undefined,
  }
}

let cached: ServerConfig | undefined

/**
 * The settings. On Node the environment is fixed once the server runs, so they are read once;
 * on Workers the environment arrives with each request, so they are read each time.
 */
export function serverConfig(): ServerConfig {
  if (ON_WORKERS) return readConfig(process.env)
  cached ??= readConfig(process.env)
  return cached
}
