/** A catalogue entry as the API publishes it (`ModelConfiguration`), plus `retired` (kept so old links get a clear 400). */
export interface ModelParameters {
  max_new_tokens: number
  /** -1: leave it to the provider. */
  typical_p: number
  /** -1: leave it to the provider. */
  repetition_penalty: number
  /** Input-token budget: older messages are dropped to fit it. */
  truncate: number
  return_full_text: boolean
  temperature?: number
}

export interface ModelConfiguration {
  publisher: string
  name: string
  description: string
  icon: string
  type: 'instruct' | 'chat'
  configuration: {
    model: string
    parameters: ModelParameters
  }
  retired?: boolean
}

export const AllowedCloudflarePublishers = { Cloudflare: 'cloudflare' } as const
export const AllowedCloudflareModelNames = { CloudflareLlama: 'llama-3.3-70b-instruct-fp8-fast' } as const
export type AllowedCloudflareModelName = (typeof AllowedCloudflareModelNames)[keyof typeof AllowedCloudflareModelNames]
export type AllowedCloudflareModels = `cloudflare/${AllowedCloudflareModelName}`

export const DEFAULT_MODEL_NAME: AllowedCloudflareModelName = AllowedCloudflareModelNames.CloudflareLlama

/**
 * The catalogue. max_new_tokens + truncate stays below the 24,000-token window with room for
 * the system prompt and the error of our token estimate.
 */
export const MODELS: readonly ModelConfiguration[] = [
  {
    publisher: AllowedCloudflarePublishers.Cloudflare,
    name: AllowedCloudflareModelNames.CloudflareLlama,
    description: 'Meta Llama 3.3 70B Instruct, FP8-quantised for fast answers on Cloudflare Workers AI. Multilingual, 24k-token context.',
    icon: 'i-lucide-sparkles',
    type: 'chat',
    configuration: {
      model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
      parameters: {
        max_new_tokens: 2048,
        typical_p: -1,
        repetition_penalty: -1,
        truncate: 20_000,
        return_full_text: false,
        temperature: 0.6,
      },
    },
  },
  {
    publisher: AllowedCloudflarePublishers.Cloudflare,
    name: 'llama-2-7b-chat-int8',
    description: 'Meta Llama 2 7B Chat. Retired by Cloudflare; kept so old clients get a clear answer.',
    icon: 'i-lucide-archive',
    type: 'chat',
    retired: true,
    configuration: {
      model: '@cf/meta/llama-2-7b-chat-int8',
      parameters: {
        max_new_tokens: 1024,
        typical_p: -1,
        repetition_penalty: -1,
        truncate: 2048,
        return_full_text: false,
        temperature: 0.6,
      },
    },
  },
]

export function findModel(name: string): ModelConfiguration | undefined {
  return MODELS.find(model => model.name === name)
}
