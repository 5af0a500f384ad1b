// The Cloudflare Worker's entry: Nitro's own (cloudflare-module), behind a body-size check.
// Nitro reads a request's whole body into memory before any handler runs, so the API's 1 MiB
// limit is enforced here first (see the README's Workers section for the matching WAF rule).
import '#nitro-internal-pollyfills'
import nitroWorker from 'nitropack/presets/cloudflare/runtime/cloudflare-module'
import { IMAGE_LIMITS, LIMITS } from '#shared/contract/limits'
import { boundedRequest } from './bounded-request'

/** The chat endpoint takes images in its body, so its bound is larger (README: "Images"). */
const CHAT_ENDPOINT = /^\/api\/ai\/cloudflare\/[^/]+\/chat$/

interface Handler {
  fetch: (request: Request, env: unknown, context: unknown) => Promise<Response>
  [other: string]: unknown
}

const nitro = nitroWorker as unknown as Handler

export default {
  ...nitro,
  async fetch(request: Request, env: unknown, context: unknown): Promise<Response> {
    const bounded = await boundedRequest(request, CHAT_ENDPOINT.test(new URL(request.url).pathname) ? IMAGE_LIMITS.maxChatBodyBytes : LIMITS.maxBodyBytes)
    return bounded instanceof Response ? bounded : nitro.fetch(bounded, env, context)
  },
} satisfies Handler
