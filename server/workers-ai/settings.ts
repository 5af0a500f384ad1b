import type { H3Event } from 'h3'
import { CLOUDFLARE_API_BASE_URL, serverConfig } from '../utils/config.ts'

/** The `AI` binding of a Worker: what workers-ai-provider calls `binding`. */
export interface AiBinding {
  run: (model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>) => Promise<unknown>
}

/** How Workers AI is reached: a Worker's `AI` binding, or the REST API with credentials. */
export interface WorkersAiSettings {
  /** On Cloudflare Workers with an `AI` binding: calls go through it, not the REST API. */
  binding?: AiBinding
  accountId: string
  apiToken: string
  baseUrl: string
  gatewayId?: string
  /** The bundled emulator stands in for Cloudflare (dev without credentials, tests, benchmarks). */
  emulator: boolean
}

/**
 * Workers AI settings: the Worker's `AI` binding when there is one, else the REST API with the
 * configured credentials. Undefined when the credentials are missing.
 *
 * @example const settings = workersAiSettings(event); if (!settings) throw apiError(500, ERRORS.notConfigured)
 */
export function workersAiSettings(event?: H3Event): WorkersAiSettings | undefined {
  const { accountId, apiToken, apiBaseUrl, aiGatewayId: gatewayId, emulator } = serverConfig().cloudflare
  const binding = (event?.context.cloudflare as { env?: { AI?: AiBinding } } | undefined)?.env?.AI
  if (binding) return { binding, accountId: '', apiToken: '', baseUrl: CLOUDFLARE_API_BASE_URL, gatewayId, emulator: false }
  if (!accountId || !apiToken) return undefined
  return { accountId, apiToken, baseUrl: apiBaseUrl, gatewayId, emulator }
}
