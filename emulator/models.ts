// The text-generation models the emulator plays, and what differs between them on the wire:
// the request schema, the context window, the default output budget, the stream's frame shape
// and where the thinking goes. Figures from each model's Cloudflare page
// (https://developers.cloudflare.com/workers-ai/models/<name>/); frame shapes from Cloudflare's
// documented outputs and published captures (see README.md, "Model families").
import { RETIRED_MODELS } from '../shared/contract/retired-models.ts'

/**
 * How the answer streams:
 * - `workers-ai`: Cloudflare's own frames, `{"response":"…","p":"…"}`, then `{"response":"","usage":{…}}`;
 * - `chunks`: OpenAI `chat.completion.chunk`s whose usage is the running total (Qwen3 30B);
 * - `chunks-own-usage`: chunks whose usage counts each chunk's own tokens, padded with `p`, closed
 *   by Cloudflare's own usage frame with the totals (Gemma 4).
 */
export type StreamShape = 'workers-ai' | 'chunks' | 'chunks-own-usage'

/**
 * Where a reasoning model's thinking goes:
 * - `think-tags`: into the text, between `<think>` and `</think>`;
 * - `think-tags-unopened`: the same without the opening tag, which the chat template already
 *   wrote (the DeepSeek-R1 distills);
 * - `reasoning_content`, `reasoning`: into that field of the chunk's delta.
 */
export type Thinking = 'think-tags' | 'think-tags-unopened' | 'reasoning_content' | 'reasoning'

/** Numeric input ranges: [min, max, integer?]. */
export type Ranges = Record<string, [number, number, boolean]>

export interface EmulatedModel {
  id: string
  contextWindow: number
  /** The output budget when the request names none (the schema's `max_tokens` default); none: until the window is full. */
  defaultMaxTokens?: number
  /** The name of the output budget in the request: `max_tokens`, or `max_completion_tokens` (`max_tokens` still accepted). */
  budgetInput: 'max_tokens' | 'max_completion_tokens'
  ranges: Ranges
  stream: StreamShape
  thinking?: Thinking
  /**
   * How it takes images, per its Cloudflare page: `image_url` content parts in user messages
   * (data: URLs), or one image in the request's `image` field (an array of bytes). None: text only.
   */
  vision?: 'image_url' | 'image'
  /** Its licence must be accepted per account with the prompt `agree` first (error 5016 until then). */
  agreement?: boolean
}

const COMMON = { seed: [1, 9_999_999_999, true], top_k: [1, 50, true], repetition_penalty: [0, 2, false] } satisfies Ranges
/** Llama 3.3, Llama 3.2, the R1 distill and Qwen3 30B. */
const WIDE_PENALTIES: Ranges = { ...COMMON, temperature: [0, 5, false], top_p: [0.001, 1, false], frequency_penalty: [-2, 2, false], presence_penalty: [-2, 2, false] }
/** QwQ, Llama 4 Scout and Mistral Small 3.1. */
const POSITIVE_PENALTIES: Ranges = { ...COMMON, temperature: [0, 5, false], top_p: [0, 2, false], frequency_penalty: [0, 2, false], presence_penalty: [0, 2, false] }
/** The OpenAI-shaped schemas. */
const OPENAI: Ranges = { seed: [0, Number.MAX_SAFE_INTEGER, true], temperature: [0, 2, false], top_p: [0, 1, false], frequency_penalty: [-2, 2, false], presence_penalty: [-2, 2, false] }

function workersAi(id: string, contextWindow: number, ranges: Ranges, extra: Partial<EmulatedModel> = {}): EmulatedModel {
  return { id, contextWindow, defaultMaxTokens: 256, budgetInput: 'max_tokens', ranges, stream: 'workers-ai', ...extra }
}

export const DEFAULT_MODEL = '@cf/meta/llama-3.3-70b-instruct-fp8-fast'

export const EMULATED_MODELS: readonly EmulatedModel[] = [
  workersAi(DEFAULT_MODEL, 24_000, WIDE_PENALTIES),
  workersAi('@cf/meta/llama-3.2-3b-instruct', 80_000, WIDE_PENALTIES),
  // Whether QwQ writes the opening tag itself is not documented; this one does.
  workersAi('@cf/qwen/qwq-32b', 24_000, POSITIVE_PENALTIES, { thinking: 'think-tags' }),
  workersAi('@cf/deepseek-ai/deepseek-r1-distill-qwen-32b', 80_000, WIDE_PENALTIES, { thinking: 'think-tags-unopened' }),
  workersAi('@cf/qwen/qwen3-30b-a3b-fp8', 32_768, WIDE_PENALTIES, { defaultMaxTokens: 2000, stream: 'chunks', thinking: 'reasoning_content' }),
  workersAi('@cf/meta/llama-4-scout-17b-16e-instruct', 131_000, POSITIVE_PENALTIES, { vision: 'image_url' }),
  workersAi('@cf/mistralai/mistral-small-3.1-24b-instruct', 128_000, POSITIVE_PENALTIES, { vision: 'image_url' }),
  workersAi('@cf/meta/llama-3.2-11b-vision-instruct', 128_000, POSITIVE_PENALTIES, { vision: 'image', agreement: true }),
  {
    id: '@cf/google/gemma-4-26b-a4b-it',
    contextWindow: 256_000,
    // No default budget is documented: it writes until its window is full.
    budgetInput: 'max_completion_tokens',
    ranges: OPENAI,
    stream: 'chunks-own-usage',
    thinking: 'reasoning',
    vision: 'image_url',
  },
]

/** Retired models and the date Cloudflare retired them (undefined: earlier, undated). */
export const RETIRED: ReadonlyMap<string, string | undefined> = new Map(
  RETIRED_MODELS.map(model => [model.configuration.model, model.retiredOn]),
)

/** The model's wire behaviour; a known id without an entry of its own behaves like the default model. */
export function emulatedModel(id: string): EmulatedModel {
  return EMULATED_MODELS.find(model => model.id === id) ?? { ...EMULATED_MODELS[0]!, id }
}
