import type { LanguageModelV4 } from '@ai-sdk/provider'
import type { H3Event } from 'h3'
import { createWorkersAI } from 'workers-ai-provider'

export const CLOUDFLARE_API_BASE_URL = 'https://api.cloudflare.com/client/v4'

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
 * Workers AI settings from the environment, read at run time: CLOUDFLARE_* (wrangler's names)
 * first, then the NUXT_CLOUDFLARE_* forms Nitro maps into runtimeConfig. Undefined when the
 * credentials are missing.
 */
export function workersAiSettings(event?: H3Event): WorkersAiSettings | undefined {
  const config = useRuntimeConfig().cloudflare
  const binding = (event?.context.cloudflare as { env?: { AI?: AiBinding } } | undefined)?.env?.AI
  const gatewayId = process.env.CLOUDFLARE_AI_GATEWAY_ID || config.aiGatewayId || undefined
  if (binding) return { binding, accountId: '', apiToken: '', baseUrl: CLOUDFLARE_API_BASE_URL, gatewayId, emulator: false }
  const accountId = process.env.CLOUDFLARE_ACCOUNT_ID || config.accountId
  const apiToken = process.env.CLOUDFLARE_API_TOKEN || config.apiToken
  if (!accountId || !apiToken) return undefined
  return {
    accountId,
    apiToken,
    baseUrl: (process.env.CLOUDFLARE_API_BASE_URL || config.apiBaseUrl || CLOUDFLARE_API_BASE_URL).replace(/\/+$/, ''),
    gatewayId,
    emulator: useRuntimeConfig().aiEmulator === true || process.env.NUXT_AI_EMULATOR === 'true',
  }
}

/**
 * A fetch for workers-ai-provider that sends Cloudflare's URLs to `baseUrl` (the emulator, a
 * proxy) and adds request fields the provider does not forward (repetition_penalty).
 * The provider has no base-URL option and captures `fetch` when it is created.
 */
export function workersAiFetch(baseUrl: string, extraInputs: Record<string, unknown> = {}): typeof fetch {
  const extra = Object.keys(extraInputs).length ? extraInputs : undefined
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const target = baseUrl !== CLOUDFLARE_API_BASE_URL && url.startsWith(CLOUDFLARE_API_BASE_URL)
      ? baseUrl + url.slice(CLOUDFLARE_API_BASE_URL.length)
      : url
    const body = extra && typeof init?.body === 'string' ? JSON.stringify({ ...JSON.parse(init.body), ...extra }) : init?.body
    return fetch(target, { ...init, body }).then(rejectMalformedFrames)
  }
}

/**
 * workers-ai-provider skips a frame it cannot parse and goes on, which would store an answer
 * with a hole in it as complete. This ends the stream at the first malformed frame instead,
 * after passing on the good frames before it: the provider then sees a stream without
 * `[DONE]`, and the answer is stored as `error`, exactly as far as it got.
 */
function rejectMalformedFrames(response: Response): Response {
  if (!response.ok || !response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return response
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let pending = ''
  const check = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const text = decoder.decode(chunk, { stream: true })
      const carried = pending.length
      pending += text
      const end = pending.lastIndexOf('\n')
      if (end < 0) {
        controller.enqueue(chunk)
        return
      }
      let lineStart = 0
      for (const line of pending.slice(0, end).split('\n')) {
        const data = line.startsWith('data:') ? line.slice(5).trim() : ''
        if (data && data !== '[DONE]' && !isJson(data)) {
          const good = text.slice(0, Math.max(0, lineStart - carried))
          if (good) controller.enqueue(encoder.encode(good))
          controller.terminate()
          return
        }
        lineStart += line.length + 1
      }
      pending = pending.slice(end + 1)
      controller.enqueue(chunk)
    },
  })
  return new Response(response.body.pipeThrough(check), { status: response.status, statusText: response.statusText, headers: response.headers })
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  }
  catch {
    return false
  }
}

/**
 * The Workers AI chat model for `modelId`. Cheap to create: one per request, so per-request
 * inputs can ride on the fetch.
 */
export function workersAiModel(settings: WorkersAiSettings, modelId: string, extraInputs?: Record<string, unknown>): LanguageModelV4 {
  const gateway = settings.gatewayId ? { gateway: { id: settings.gatewayId } } : {}
  const { binding } = settings
  const provider = binding
    ? createWorkersAI({
        binding: (extraInputs
          ? { run: (model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>) => binding.run(model, { ...inputs, ...extraInputs }, options) }
          : binding) as never,
        ...gateway,
      })
    : createWorkersAI({
        accountId: settings.accountId,
        apiKey: settings.apiToken,
        fetch: workersAiFetch(settings.baseUrl, extraInputs),
        ...gateway,
      })
  return provider(modelId as Parameters<typeof provider>[0]) as unknown as LanguageModelV4
}
