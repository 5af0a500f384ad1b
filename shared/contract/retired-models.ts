import type { ModelConfiguration } from './model-types.ts'

/**
 * A model Cloudflare has retired, in the published shape, so that its old URL gets
 * `400 Service not available anymore.` rather than `Invalid model name`.
 */
function retired(id: string, retiredOn?: string): ModelConfiguration {
  const name = id.slice(id.lastIndexOf('/') + 1)
  return {
    publisher: 'cloudflare',
    name,
    description: `${id}: retired by Cloudflare${retiredOn ? ` on ${retiredOn}` : ''}; kept so old links get a clear answer.`,
    icon: 'i-lucide-archive',
    type: 'chat',
    retired: true,
    ...(retiredOn ? { retiredOn } : {}),
    configuration: {
      model: id,
      parameters: { max_new_tokens: 0, typical_p: -1, repetition_penalty: -1, truncate: 0, return_full_text: false },
    },
  }
}

/**
 * Retired text models. The 2026-05-30 list is Cloudflare's changelog
 * (https://developers.cloudflare.com/changelog/post/2026-05-08-planned-model-deprecations/);
 * Kimi K2.5 is on it although Cloudflare now answers its requests with K2.6 (at K2.6's price).
 * The undated ones were retired earlier, in 2025 (a Cloudflare deprecation notice quoted in
 * https://github.com/jackmcguire1/alexa-chatgpt/issues/149; their model pages are gone).
 */
export const RETIRED_MODELS: readonly ModelConfiguration[] = [
  ...[
    '@cf/moonshotai/kimi-k2.5',
    '@hf/meta-llama/meta-llama-3-8b-instruct',
    '@cf/meta/llama-3-8b-instruct',
    '@cf/meta/llama-3-8b-instruct-awq',
    '@cf/meta/llama-3.1-8b-instruct',
    '@cf/meta/llama-3.1-8b-instruct-awq',
    '@cf/meta/llama-3.1-70b-instruct',
    '@cf/meta/llama-2-7b-chat-int8',
    '@cf/meta/llama-2-7b-chat-fp16',
    '@cf/mistral/mistral-7b-instruct-v0.1',
    '@hf/mistral/mistral-7b-instruct-v0.2',
    '@hf/google/gemma-7b-it',
    '@cf/google/gemma-3-12b-it',
    '@hf/nousresearch/hermes-2-pro-mistral-7b',
    '@cf/microsoft/phi-2',
    '@cf/defog/sqlcoder-7b-2',
    '@cf/unum/uform-gen2-qwen-500m',
    '@cf/facebook/bart-large-cnn',
  ].map(id => retired(id, '2026-05-30')),
  ...[
    '@hf/thebloke/zephyr-7b-beta-awq',
    '@hf/thebloke/mistral-7b-instruct-v0.1-awq',
    '@hf/thebloke/llama-2-13b-chat-awq',
    '@hf/thebloke/openhermes-2.5-mistral-7b-awq',
    '@hf/thebloke/neural-chat-7b-v3-1-awq',
    '@hf/thebloke/llamaguard-7b-awq',
    '@hf/thebloke/deepseek-coder-6.7b-base-awq',
    '@hf/thebloke/deepseek-coder-6.7b-instruct-awq',
    '@cf/deepseek-ai/deepseek-math-7b-instruct',
    '@cf/openchat/openchat-3.5-0106',
    '@cf/tiiuae/falcon-7b-instruct',
    '@cf/thebloke/discolm-german-7b-v1-awq',
    '@cf/qwen/qwen1.5-0.5b-chat',
    '@cf/qwen/qwen1.5-7b-chat-awq',
    '@cf/qwen/qwen1.5-14b-chat-awq',
    '@cf/qwen/qwen1.5-1.8b-chat',
    '@cf/tinyllama/tinyllama-1.1b-chat-v1.0',
    '@hf/nexusflow/starling-lm-7b-beta',
    '@cf/fblgit/una-cybertron-7b-v2-bf16',
  ].map(id => retired(id)),
]
