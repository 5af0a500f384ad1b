import type { H3Event } from 'h3'
import { createWorkersAI } from 'workers-ai-provider'
import { providerStream, workersAiRestStream, type ChatInputs, type UpstreamCall } from './workers-ai-stream'

/** The `AI` binding of a Worker: what workers-ai-provider calls `binding`. */
export interface AiBinding {
  run: (model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>) => Promise<unknown>
}

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
 */
export function workersAiSettings(event?: H3Event): WorkersAiSettings | undefined {
  const { accountId, apiToken, apiBaseUrl, aiGatewayId: gatewayId, emulator } = serverConfig().cloudflare
  const binding = (event?.context.cloudflare as { env?: { AI?: AiBinding } } | undefined)?.env?.AI
  if (binding) return { binding, accountId: '', apiToken: '', baseUrl: CLOUDFLARE_API_BASE_URL, gatewayId, emulator: false }
  if (!accountId || !apiToken) return undefined
  return { accountId, apiToken, baseUrl: apiBaseUrl, gatewayId, emulator }
}

/**
 * The stream of an answer: over REST straight from the socket (workersAiRestStream), or through
 * workers-ai-provider when a Worker has the `AI` binding.
 */
export function workersAiStream(settings: WorkersAiSettings, modelId: string, inputs: ChatInputs): UpstreamCall {
  const { binding } = settings
  if (!binding) return workersAiRestStream(settings, modelId, inputs)
  const extra = inputs.extraInputs
  const provider = createWorkersAI({
    // The provider does not forward repetition_penalty: add it to what reaches the binding.
    binding: (extra
      ? { run: (model: string, body: Record<string, unknown>, options?: Record<string, unknown>) => binding.run(model, { ...body, ...extra }, options) }
      : binding) as never,
    ...(settings.gatewayId ? { gateway: { id: settings.gatewayId } } : {}),
  })
  return providerStream(provider(modelId as Parameters<typeof provider>[0]), inputs)
}
