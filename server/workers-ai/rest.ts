import type { ModelRequest, StartAnswer } from './parts.ts'
import { WorkersAiHttpError } from './errors.ts'
import { outputBudget } from './inputs.ts'
import { imageField, promptMessages } from './prompt.ts'
import { readRestFrames } from './rest-frames.ts'
import type { WorkersAiSettings } from './settings.ts'
import { readText, upstreamPost } from './upstream-post.ts'

/**
 * Asks a model over Workers AI's REST API (`POST …/ai/run/{model}` with `stream: true`), or
 * through AI Gateway when one is configured, and reads the answer straight off the socket.
 * Why not through workers-ai-provider: see the README's architecture section.
 */
export function restAnswer(settings: WorkersAiSettings, request: ModelRequest): StartAnswer {
  const url = settings.gatewayId
    ? `https://gateway.ai.cloudflare.com/v1/${settings.accountId}/${settings.gatewayId}/workers-ai/run/${request.model}`
    : `${settings.baseUrl}/accounts/${settings.accountId}/ai/run/${request.model}`
  const body = JSON.stringify({
    messages: promptMessages(request),
    ...imageField(request),
    stream: true,
    ...request.inputs,
  })
  const headers: Record<string, string> = { 'authorization': `Bearer ${settings.apiToken}`, 'content-type': 'application/json' }
  if (request.sessionAffinity) headers['x-session-affinity'] = request.sessionAffinity
  return async (signal) => {
    const response = await upstreamPost(url, headers, body, signal)
    const ok = response.status >= 200 && response.status < 300
    // Cloudflare sometimes answers 200 with {success:false}: that is a failure too.
    if (!ok || !(response.headers['content-type'] ?? '').includes('text/event-stream')) {
      const responseBody = await readText(response).catch(() => '')
      throw new WorkersAiHttpError(ok ? 502 : response.status, responseBody, response.headers)
    }
    return readRestFrames(response, request, outputBudget(request.inputs))
  }
}
