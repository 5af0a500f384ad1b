/**
 * The shape of a catalogue entry. `ModelConfiguration` is the published shape: the fields every
 * client has always read, then optional additions (every live model has them, see `LiveModel`).
 */
export interface ModelParameters {
  /** The output budget asked for (`max_tokens`, or `max_completion_tokens`): thinking and answer together. */
  max_new_tokens: number
  /** -1: leave it to the provider. */
  typical_p: number
  /** -1: leave it to the provider. */
  repetition_penalty: number
  /** Input-token budget: older messages are dropped to fit it. */
  truncate: number
  return_full_text: boolean
  temperature?: number
  /** Nucleus sampling, where the model's documentation recommends a value. */
  top_p?: number
  /** Top-k sampling, where the model's documentation recommends a value. */
  top_k?: number
}

/** How a model thinks aloud, so the adapter can tell its thinking from its answer. */
export interface ReasoningCapability {
  /**
   * `think-tags`: the thinking comes first in the answer text, between `<think>` and `</think>`.
   * `reasoning-field`: it comes in a field of its own (`reasoning_content` or `reasoning`).
   */
  format: 'think-tags' | 'reasoning-field'
  /**
   * The model's chat template opens the thinking itself, so the text may start inside it and
   * only `</think>` appears (the DeepSeek-R1 distills, QwQ). An opening tag is accepted too.
   */
  startsInside?: boolean
  /** `reasoning_effort` to send, for models whose documentation gives one. */
  effort?: 'low' | 'medium' | 'high'
  /** Its vendor advises against a system prompt: the instructions go in front of the first user message. */
  instructionsInUserTurn?: boolean
}

/** How a model takes images (README: "Images"), per its Cloudflare model page. */
export interface VisionCapability {
  /**
   * `image_url`: OpenAI-style content parts `{type: "image_url", image_url: {url}}` in a user
   * message, the url a `data:` URI (Cloudflare refuses http URLs).
   * `image`: one image beside the messages, in the request's `image` field, as an array of its
   * bytes (0-255); the model sees the conversation's newest image only.
   */
  input: 'image_url' | 'image'
  /** Images one request may carry to the model; the newest ones are sent. */
  maxImages: number
  /**
   * The model's licence must be accepted once per Cloudflare account, by sending it the prompt
   * `agree` before its first use (Meta's Llama 3.2 licence): `terms` is the licence's address.
   */
  agreement?: { terms: string }
}

export interface ModelCapabilities {
  /** Present when the model thinks before it answers. */
  reasoning?: ReasoningCapability
  /** Present when the model accepts images. */
  vision?: VisionCapability
  functionCalling?: boolean
}

/** Token limits from the model's page. */
export interface ModelLimits {
  /** Input and output together, in tokens. */
  contextWindow: number
  /**
   * The most Neptun asks it to write in one answer (thinking included). Cloudflare documents no
   * maximum output for these models, only a context window, so this comes from the model
   * vendor's recommendation within that window.
   */
  maxOutputTokens: number
}

/** Price per million tokens, in Neurons (what Cloudflare bills; see `NEURON_PRICE_USD`). */
export interface ModelPricing {
  inputNeuronsPerMillion: number
  outputNeuronsPerMillion: number
}

/** The Workers AI request fields Neptun may send to a model; anything else is left out. */
export type WorkersAiInputName =
  | 'max_tokens' | 'max_completion_tokens' | 'temperature' | 'top_p' | 'top_k'
  | 'repetition_penalty' | 'frequency_penalty' | 'presence_penalty' | 'seed'
  | 'reasoning_effort'

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
  /** Retired by Cloudflare: kept so old links get a clear 400. */
  retired?: boolean
  /** When Cloudflare retired it (YYYY-MM-DD), where known. */
  retiredOn?: string
  /** A short human name, e.g. "Llama 3.3 70B". */
  label?: string
  /** What it is for, in a few words. */
  purpose?: string
  limits?: ModelLimits
  capabilities?: ModelCapabilities
  pricing?: ModelPricing
  /** The request fields this model accepts, per its Cloudflare model page. */
  acceptedInputs?: readonly WorkersAiInputName[]
  /** Its Cloudflare model page. */
  documentation?: string
}

/** A model that answers: every addition is there. */
export interface LiveModel extends ModelConfiguration {
  retired?: false
  label: string
  purpose: string
  limits: ModelLimits
  capabilities: ModelCapabilities
  pricing: ModelPricing
  acceptedInputs: readonly WorkersAiInputName[]
  documentation: string
}
