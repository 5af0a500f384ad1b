import type { ChatMessage, FinishReason, ImageMediaType, ReasoningCapability, VisionCapability } from '#shared/contract'
import type { WorkersAiInputs } from './inputs.ts'

/** Token counts as Workers AI reports them (`prompt_tokens`, `completion_tokens`). */
export interface Usage {
  promptTokens?: number
  completionTokens?: number
}

/**
 * An answer as the Workers AI adapter hands it over, whatever the upstream's wire format: the
 * model's thinking (`reasoning-delta`, reasoning models only, always before the text) and its
 * text as they arrive, then one `finish`. Each upstream format is turned into these parts in one
 * place (`rest-frames.ts` for the REST API's frames, `binding.ts` for the binding's stream);
 * nothing after the adapter sees a wire format.
 *
 * `truncated`: the stream ended without Workers AI's end marker (`data: [DONE]`).
 * `finishReason`: `length` when the model stopped at its output budget.
 */
export type AnswerPart =
  | { type: 'reasoning-delta', delta: string }
  | { type: 'text-delta', delta: string }
  | { type: 'finish', truncated: boolean, finishReason?: FinishReason, usage?: Usage }

/** An image a user message shows the model: its sniffed type and its bytes. */
export interface ModelImage {
  mediaType: ImageMediaType
  bytes: Uint8Array
}

/** A message of the conversation, with the images a user message carries. */
export type ModelMessage = ChatMessage & { images?: ModelImage[] }

/** What the model is asked: which model, with which inputs, the system prompt and the conversation. */
export interface ModelRequest {
  /** Workers AI's model id, e.g. `@cf/meta/llama-3.3-70b-instruct-fp8-fast`. */
  model: string
  inputs: WorkersAiInputs
  system: string
  messages: ModelMessage[]
  /** How the model takes images, for vision models: the adapter sends them its way. */
  vision?: VisionCapability
  /** How the model thinks aloud, for reasoning models: where its thinking is to be found. */
  reasoning?: ReasoningCapability
  /**
   * Sent as `x-session-affinity`: requests with the same value go to the same model instance,
   * which keeps the conversation's prefix cached there (one value per chat).
   */
  sessionAffinity?: string
}

/**
 * Starts an answer. Failures before its stream opens (HTTP errors) reject; later ones are thrown
 * by the iterator. Aborting `signal` closes the upstream request, which stops the generation at
 * Cloudflare.
 */
export type StartAnswer = (signal: AbortSignal) => Promise<AsyncIterator<AnswerPart>>
