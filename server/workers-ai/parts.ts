import type { ChatMessage } from '#shared/contract'
import type { WorkersAiInputs } from './inputs.ts'

/** Token counts as Workers AI reports them (`prompt_tokens`, `completion_tokens`). */
export interface Usage {
  promptTokens?: number
  completionTokens?: number
}

/**
 * An answer as the Workers AI adapter hands it over, whatever the upstream's wire format: text
 * as it arrives, then one `finish`. Each upstream format is turned into these parts in one place
 * (`rest-frames.ts` for the REST API's frames, `binding.ts` for the binding's stream); nothing
 * after the adapter sees a wire format.
 *
 * `truncated`: the stream ended without Workers AI's end marker (`data: [DONE]`).
 */
export type AnswerPart =
  | { type: 'text-delta', delta: string }
  | { type: 'finish', truncated: boolean, usage?: Usage }

/** What the model is asked: which model, with which inputs, the system prompt and the conversation. */
export interface ModelRequest {
  /** Workers AI's model id, e.g. `@cf/meta/llama-3.3-70b-instruct-fp8-fast`. */
  model: string
  inputs: WorkersAiInputs
  system: string
  messages: ChatMessage[]
}

/**
 * Starts an answer. Failures before its stream opens (HTTP errors) reject; later ones are thrown
 * by the iterator. Aborting `signal` closes the upstream request, which stops the generation at
 * Cloudflare.
 */
export type StartAnswer = (signal: AbortSignal) => Promise<AsyncIterator<AnswerPart>>
