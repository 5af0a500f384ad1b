import type { LiveModel, ModelConfiguration, ModelParameters, WorkersAiInputName } from './model-types.ts'
import { RETIRED_MODELS } from './retired-models.ts'

export type * from './model-types.ts'

export const AllowedCloudflarePublishers = { Cloudflare: 'cloudflare' } as const
export const AllowedCloudflareModelNames = {
  CloudflareLlama: 'llama-3.3-70b-instruct-fp8-fast',
  CloudflareLlamaSmall: 'llama-3.2-3b-instruct',
  CloudflareQwq: 'qwq-32b',
  CloudflareDeepSeekR1: 'deepseek-r1-distill-qwen-32b',
  CloudflareQwen3: 'qwen3-30b-a3b-fp8',
  CloudflareLlamaScout: 'llama-4-scout-17b-16e-instruct',
  CloudflareMistralSmall: 'mistral-small-3.1-24b-instruct',
  CloudflareGemma: 'gemma-4-26b-a4b-it',
  CloudflareLlamaVision: 'llama-3.2-11b-vision-instruct',
} as const
export type AllowedCloudflareModelName = (typeof AllowedCloudflareModelNames)[keyof typeof AllowedCloudflareModelNames]
export type AllowedCloudflareModels = `cloudflare/${AllowedCloudflareModelName}`

export const DEFAULT_MODEL_NAME: AllowedCloudflareModelName = AllowedCloudflareModelNames.CloudflareLlama
/** The smallest fast model: for quick jobs such as naming a chat. */
export const SMALL_FAST_MODEL_NAME: AllowedCloudflareModelName = AllowedCloudflareModelNames.CloudflareLlamaSmall

/** What the Workers AI family of request schemas accepts (`max_tokens`, top_k, repetition_penalty). */
const WORKERS_AI_INPUTS: readonly WorkersAiInputName[] = [
  'max_tokens', 'temperature', 'top_p', 'top_k', 'seed', 'repetition_penalty', 'frequency_penalty', 'presence_penalty',
]
/** What the OpenAI-shaped request schemas accept (`max_completion_tokens`, no top_k or repetition_penalty). */
const OPENAI_INPUTS: readonly WorkersAiInputName[] = [
  'max_completion_tokens', 'temperature', 'top_p', 'seed', 'frequency_penalty', 'presence_penalty', 'reasoning_effort',
]

/** The published parameters, with the values every entry shares. */
function parameters(budget: { max_new_tokens: number, truncate: number } & Partial<ModelParameters>): ModelParameters {
  return { typical_p: -1, repetition_penalty: -1, return_full_text: false, ...budget }
}

const cloudflare = AllowedCloudflarePublishers.Cloudflare

/**
 * The models that answer. Context windows, prices and accepted inputs are from each model's
 * Cloudflare page (linked per entry) and Cloudflare's pricing page
 * (https://developers.cloudflare.com/workers-ai/platform/pricing/), in Neurons, which is what is
 * billed. Every output budget leaves the input budget (`truncate`) room inside the window.
 */
export const LIVE_MODELS: readonly LiveModel[] = [
  {
    // https://developers.cloudflare.com/workers-ai/models/llama-3.3-70b-instruct-fp8-fast/
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareLlama,
    label: 'Llama 3.3 70B',
    purpose: 'Everyday chat, writing and code',
    description: 'Meta Llama 3.3 70B Instruct, FP8-quantised for fast answers on Cloudflare Workers AI. Multilingual, 24k-token context.',
    icon: 'i-lucide-sparkles',
    type: 'chat',
    configuration: {
      model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
      parameters: parameters({ max_new_tokens: 2048, truncate: 20_000, temperature: 0.6 }),
    },
    limits: { contextWindow: 24_000, maxOutputTokens: 2048 },
    capabilities: { functionCalling: true },
    pricing: { inputNeuronsPerMillion: 26_668, outputNeuronsPerMillion: 204_805 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/llama-3.3-70b-instruct-fp8-fast/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/llama-3.2-3b-instruct/
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareLlamaSmall,
    label: 'Llama 3.2 3B',
    purpose: 'Quick, cheap answers',
    description: 'Meta Llama 3.2 3B Instruct: small and fast, for quick questions and summaries. Multilingual, 80k-token context.',
    icon: 'i-lucide-zap',
    type: 'chat',
    configuration: {
      model: '@cf/meta/llama-3.2-3b-instruct',
      parameters: parameters({ max_new_tokens: 2048, truncate: 75_000, temperature: 0.6 }),
    },
    limits: { contextWindow: 80_000, maxOutputTokens: 2048 },
    capabilities: {},
    pricing: { inputNeuronsPerMillion: 4625, outputNeuronsPerMillion: 30_475 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/llama-3.2-3b-instruct/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/qwq-32b/
    // Sampling as Qwen recommends for QwQ (temperature 0.6, top_p 0.95, top_k 20-40; greedy
    // decoding makes it repeat itself), not Cloudflare's default temperature of 0.15; its template
    // opens the thinking, so answers may lack the opening tag (https://huggingface.co/Qwen/QwQ-32B).
    // It thinks at length, so most of the 24k window goes to the output budget.
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareQwq,
    label: 'QwQ 32B',
    purpose: 'Reasoning: maths, logic, puzzles',
    description: 'Qwen QwQ 32B: a reasoning model that thinks step by step before it answers. 24k-token context.',
    icon: 'i-lucide-brain',
    type: 'chat',
    configuration: {
      model: '@cf/qwen/qwq-32b',
      parameters: parameters({ max_new_tokens: 12_000, truncate: 10_000, temperature: 0.6, top_p: 0.95, top_k: 40 }),
    },
    limits: { contextWindow: 24_000, maxOutputTokens: 12_000 },
    capabilities: { reasoning: { format: 'think-tags', startsInside: true } },
    pricing: { inputNeuronsPerMillion: 60_000, outputNeuronsPerMillion: 90_909 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/qwq-32b/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/deepseek-r1-distill-qwen-32b/
    // DeepSeek recommends temperature 0.6 and top_p 0.95 for the R1 distills, no system prompt
    // (instructions in the user's turn), and measured them with up to 32,768 generated tokens;
    // half of that keeps a hard question's thinking and its answer in budget at a bounded price.
    // https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-32B
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareDeepSeekR1,
    label: 'DeepSeek R1 Distill 32B',
    purpose: 'Reasoning: hard problems, long thinking',
    description: 'DeepSeek R1 distilled into Qwen 32B: long step-by-step reasoning for hard problems. 80k-token context.',
    icon: 'i-lucide-brain-circuit',
    type: 'chat',
    configuration: {
      model: '@cf/deepseek-ai/deepseek-r1-distill-qwen-32b',
      parameters: parameters({ max_new_tokens: 16_384, truncate: 60_000, temperature: 0.6, top_p: 0.95 }),
    },
    limits: { contextWindow: 80_000, maxOutputTokens: 16_384 },
    capabilities: { reasoning: { format: 'think-tags', startsInside: true, instructionsInUserTurn: true } },
    pricing: { inputNeuronsPerMillion: 45_170, outputNeuronsPerMillion: 443_756 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/deepseek-r1-distill-qwen-32b/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/qwen3-30b-a3b-fp8/
    // Answers in OpenAI chat-completion chunks with its thinking in `reasoning_content`. Qwen's
    // thinking-mode sampling: temperature 0.6, top_p 0.95, top_k 20.
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareQwen3,
    label: 'Qwen3 30B A3B',
    purpose: 'Fast reasoning, multilingual',
    description: 'Qwen3 30B A3B: a fast mixture-of-experts model that reasons before it answers. Multilingual, 32k-token context.',
    icon: 'i-lucide-lightbulb',
    type: 'chat',
    configuration: {
      model: '@cf/qwen/qwen3-30b-a3b-fp8',
      parameters: parameters({ max_new_tokens: 12_288, truncate: 18_000, temperature: 0.6, top_p: 0.95, top_k: 20 }),
    },
    limits: { contextWindow: 32_768, maxOutputTokens: 12_288 },
    capabilities: { reasoning: { format: 'reasoning-field' } },
    pricing: { inputNeuronsPerMillion: 4625, outputNeuronsPerMillion: 30_475 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/qwen3-30b-a3b-fp8/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/llama-4-scout-17b-16e-instruct/
    // Meta's generation defaults for Llama 4: temperature 0.6, top_p 0.9.
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareLlamaScout,
    label: 'Llama 4 Scout 17B',
    purpose: 'Long documents',
    description: 'Meta Llama 4 Scout 17B (16 experts): natively multimodal, for long documents and images. 131k-token context.',
    icon: 'i-lucide-book-open',
    type: 'chat',
    configuration: {
      model: '@cf/meta/llama-4-scout-17b-16e-instruct',
      parameters: parameters({ max_new_tokens: 4096, truncate: 120_000, temperature: 0.6, top_p: 0.9 }),
    },
    limits: { contextWindow: 131_000, maxOutputTokens: 4096 },
    capabilities: { vision: { input: 'image_url', maxImages: 4 }, functionCalling: true },
    pricing: { inputNeuronsPerMillion: 24_545, outputNeuronsPerMillion: 77_273 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/llama-4-scout-17b-16e-instruct/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/mistral-small-3.1-24b-instruct/
    // Mistral recommends a low temperature (0.15) for Small 3.1, which is also Cloudflare's default.
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareMistralSmall,
    label: 'Mistral Small 3.1 24B',
    purpose: 'General use, long context',
    description: 'Mistral Small 3.1 24B Instruct: a strong general model with image understanding. 128k-token context.',
    icon: 'i-lucide-wind',
    type: 'chat',
    configuration: {
      model: '@cf/mistralai/mistral-small-3.1-24b-instruct',
      parameters: parameters({ max_new_tokens: 4096, truncate: 118_000, temperature: 0.15 }),
    },
    limits: { contextWindow: 128_000, maxOutputTokens: 4096 },
    capabilities: { vision: { input: 'image_url', maxImages: 4 } },
    pricing: { inputNeuronsPerMillion: 31_876, outputNeuronsPerMillion: 50_488 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/mistral-small-3.1-24b-instruct/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/gemma-4-26b-a4b-it/
    // OpenAI-shaped on both sides: `max_completion_tokens`, chunks with the thinking in a field.
    // It thinks by default and its thinking counts against the budget, hence a large one (its
    // output price is low). Google's Gemma sampling: temperature 1.0, top_p 0.95.
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareGemma,
    label: 'Gemma 4 26B A4B',
    purpose: 'Very long context, reasoning',
    description: 'Google Gemma 4 26B A4B: an efficient open model that thinks before it answers and reads images. 256k-token context.',
    icon: 'i-lucide-gem',
    type: 'chat',
    configuration: {
      model: '@cf/google/gemma-4-26b-a4b-it',
      parameters: parameters({ max_new_tokens: 16_384, truncate: 230_000, temperature: 1, top_p: 0.95 }),
    },
    limits: { contextWindow: 256_000, maxOutputTokens: 16_384 },
    capabilities: { reasoning: { format: 'reasoning-field' }, vision: { input: 'image_url', maxImages: 4 }, functionCalling: true },
    pricing: { inputNeuronsPerMillion: 9091, outputNeuronsPerMillion: 27_273 },
    acceptedInputs: OPENAI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/gemma-4-26b-a4b-it/',
  },
  {
    // https://developers.cloudflare.com/workers-ai/models/llama-3.2-11b-vision-instruct/
    // Takes one image in the request's `image` field (bytes as an array of integers), not in the
    // messages. Meta's licence must be accepted per account by the prompt "agree" first
    // (Cloudflare's Llama vision tutorial); the server does that once (README: "Images"). The
    // 128k window is Meta's (model card); Cloudflare's page gives none.
    publisher: cloudflare,
    name: AllowedCloudflareModelNames.CloudflareLlamaVision,
    label: 'Llama 3.2 11B Vision',
    purpose: 'Questions about an image, cheaply',
    description: 'Meta Llama 3.2 11B Vision Instruct: looks at one image (the newest in the chat) and answers about it. 128k-token context.',
    icon: 'i-lucide-image',
    type: 'chat',
    configuration: {
      model: '@cf/meta/llama-3.2-11b-vision-instruct',
      parameters: parameters({ max_new_tokens: 2048, truncate: 60_000, temperature: 0.6 }),
    },
    limits: { contextWindow: 128_000, maxOutputTokens: 2048 },
    capabilities: { vision: { input: 'image', maxImages: 1, agreement: { terms: 'https://github.com/meta-llama/llama-models/blob/main/models/llama3_2/LICENSE' } } },
    pricing: { inputNeuronsPerMillion: 4410, outputNeuronsPerMillion: 61_493 },
    acceptedInputs: WORKERS_AI_INPUTS,
    documentation: 'https://developers.cloudflare.com/workers-ai/models/llama-3.2-11b-vision-instruct/',
  },
]

/** The live models that can see images (a non-vision model refuses them, naming these). */
export const VISION_MODEL_NAMES: readonly string[] = LIVE_MODELS.filter(model => model.capabilities.vision).map(model => model.name)

/** The catalogue as GET /api/ai/models publishes it: the live models, then the retired ones. */
export const MODELS: readonly ModelConfiguration[] = [...LIVE_MODELS, ...RETIRED_MODELS]

export function findModel(name: string): ModelConfiguration | undefined {
  return MODELS.find(model => model.name === name)
}

/** A model that answers, by name; undefined for a retired or unknown one. */
export function findLiveModel(name: string | null | undefined): LiveModel | undefined {
  return LIVE_MODELS.find(model => model.name === name)
}

/** Characters a token is counted as when a conversation is fitted to a model (a deliberately high count of tokens). */
export const CHARS_PER_TOKEN = 3

/**
 * The tokens a conversation with `model` may use: its input budget (`truncate`), within what its
 * context window leaves beside an answer of `maxTokens` (by default the one it asks for). The
 * server fits each turn to this, less its system prompt; the browser sends no more than it.
 */
export function conversationTokenBudget(model: LiveModel, maxTokens = model.configuration.parameters.max_new_tokens): number {
  const { truncate } = model.configuration.parameters
  return Math.min(truncate > 0 ? truncate : Infinity, model.limits.contextWindow - maxTokens)
}

export function isLiveModel(model: ModelConfiguration): model is LiveModel {
  return !model.retired && model.limits !== undefined
}
