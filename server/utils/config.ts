import { DEFAULTS } from '#shared/contract'
import { ON_WORKERS } from './runtime.ts'

/**
 * Every server setting in one place: the variable it comes from and its default. Each one is
 * documented in `.env.example`. Read from the environment at run time (Nitro maps only NUXT_*
 * names into runtimeConfig, and wrangler's CLOUDFLARE_* names must work as they are).
 *
 * @example const { chatRateLimitPerMinute } = serverConfig()
 */
export interface ServerConfig {
  /** DATABASE_URL: unset → PGlite in ./.data/pglite; `pglite://dir`, `memory://` or `postgres://…`. */
  databaseUrl: string | undefined
  /** DATABASE_POOL_MAX: connections per instance (PostgreSQL). */
  databasePoolMax: number
  /** CHAT_RATE_LIMIT_PER_MINUTE: chat requests per user per minute; 0 turns it off. */
  chatRateLimitPerMinute: number
  /**
   * CHAT_DAILY_NEURON_LIMIT: Neurons a user may spend per UTC day; past it the chat endpoint
   * answers 429 until midnight UTC. 0 (the default) turns it off.
   */
  dailyNeuronLimit: number
  /** CHAT_FIRST_TOKEN_TIMEOUT_MS: no first token by then → 504. */
  firstTokenTimeoutMs: number
  /** CHAT_IDLE_TIMEOUT_MS: no token for this long once streaming → the answer ends as an error. */
  idleTimeoutMs: number
  /** TRUST_PROXY: take the client's address and host from X-Forwarded-* headers. */
  trustProxy: boolean
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

function readConfig(env: Record<string, string | undefined>): ServerConfig {
  const runtime = useRuntimeConfig()
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolMax: positive(env.DATABASE_POOL_MAX, 10),
    chatRateLimitPerMinute: atLeastZero(env.CHAT_RATE_LIMIT_PER_MINUTE, DEFAULTS.chatRateLimitPerMinute),
    dailyNeuronLimit: atLeastZero(env.CHAT_DAILY_NEURON_LIMIT, DEFAULTS.dailyNeuronLimit),
    firstTokenTimeoutMs: positive(env.CHAT_FIRST_TOKEN_TIMEOUT_MS, DEFAULTS.firstTokenTimeoutMs),
    idleTimeoutMs: positive(env.CHAT_IDLE_TIMEOUT_MS, DEFAULTS.idleTimeoutMs),
    trustProxy: env.TRUST_PROXY === 'true',
    sessionPassword: env.NUXT_SESSION_PASSWORD ?? runtime.session?.password ?? '',
    cloudflare: {
      accountId: env.CLOUDFLARE_ACCOUNT_ID || runtime.cloudflare.accountId,
      apiToken: env.CLOUDFLARE_API_TOKEN || runtime.cloudflare.apiToken,
      apiBaseUrl: (env.CLOUDFLARE_API_BASE_URL || runtime.cloudflare.apiBaseUrl || CLOUDFLARE_API_BASE_URL).replace(/\/+$/, ''),
      aiGatewayId: env.CLOUDFLARE_AI_GATEWAY_ID || runtime.cloudflare.aiGatewayId || undefined,
      emulator: runtime.aiEmulator === true || env.NUXT_AI_EMULATOR === 'true',
    },
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
