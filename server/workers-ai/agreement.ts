import { WorkersAiHttpError } from './errors.ts'
import type { WorkersAiSettings } from './settings.ts'
import { readText, upstreamPost } from './upstream-post.ts'

/** What Cloudflare asks a model whose licence needs accepting to be sent first (its Llama vision tutorial). */
export const AGREE_PROMPT = 'agree'

/**
 * Accepts a model's licence for the account: sends it the prompt `agree`, as Cloudflare's docs
 * say to before the first use of Meta's Llama 3.2 Vision. Throws WorkersAiHttpError when
 * Workers AI refuses.
 *
 * @example await agreeToModelLicence(settings, '@cf/meta/llama-3.2-11b-vision-instruct')
 */
export async function agreeToModelLicence(settings: WorkersAiSettings, model: string, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<void> {
  if (settings.binding) {
    await settings.binding.run(model, { prompt: AGREE_PROMPT }, settings.gatewayId ? { gateway: { id: settings.gatewayId } } : undefined)
    return
  }
  const url = settings.gatewayId
    ? `https://gateway.ai.cloudflare.com/v1/${settings.accountId}/${settings.gatewayId}/workers-ai/run/${model}`
    : `${settings.baseUrl}/accounts/${settings.accountId}/ai/run/${model}`
  const response = await upstreamPost(url, { 'authorization': `Bearer ${settings.apiToken}`, 'content-type': 'application/json' }, JSON.stringify({ prompt: AGREE_PROMPT }), signal)
  const body = await readText(response).catch(() => '')
  if (response.status < 200 || response.status >= 300) throw new WorkersAiHttpError(response.status, body, response.headers)
}
