// Shared, JSON-able types for the Workers AI emulator. Kept free of runtime
// code so that test files in other processes can import them cheaply.

/** Fault-injection recipe for one request. Every field is optional. */
export interface Behaviour {
  /** Exact text to stream (tokenised word-by-word); otherwise the default reply. */
  reply?: string
  /** Length of the default reply in tokens (still capped by max_tokens). */
  tokens?: number
  /** Delay between frames; defaults to options.tokenDelayMs. 0 = unpaced. */
  tokenDelayMs?: number
  /** Delay before the first frame (or before the JSON body when not streaming). */
  firstTokenDelayMs?: number
  /** How many tokens go into one SSE frame; default 1. */
  tokensPerFrame?: number
  /** Answer with Cloudflare's error envelope instead of a reply. */
  error?: { status: number; code: number; message?: string; retryAfter?: number }
  /** Send 200 + headers and then nothing, before the first token or after N tokens. */
  stall?: 'before-first-token' | number
  /** Destroy the socket abruptly after N tokens (no usage frame, no [DONE]). */
  dropAfterTokens?: number
  /** After N tokens send `data: {not json` and then continue normally. */
  malformedAfterTokens?: number
  /** End the response cleanly but without `data: [DONE]`. */
  omitDone?: boolean
  /** Destroy the socket immediately without writing anything. */
  refuse?: boolean
  /** HTTP 200 carrying the error envelope (a real Cloudflare quirk). */
  successFalseWith200?: boolean
  /** Reasoning models: exact thinking to stream before the reply ('' for none). */
  reasoning?: string
  /** Reasoning models: length of the default thinking in tokens (default 24). */
  reasoningTokens?: number
  /** Models that write `<think>` tags: send each tag in two frames, cut in the middle. */
  splitTags?: boolean
  /**
   * How the app's title request for this question behaves (say, `{"error":…}` or
   * `{"firstTokenDelayMs":2000}`); the answer itself ignores it.
   */
  title?: Behaviour
}

export interface EmulatorOptions {
  /** 0 (default) = random free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default 'emulator-account'. */
  accountId?: string
  /** Default 'emulator-token'. */
  token?: string
  /** Default pacing between frames; default 0 (unpaced). */
  tokenDelayMs?: number
  /** Models that exist. Default: every model of models.ts, and every retired one. */
  knownModels?: string[]
  /** Subset of known models that answer 410/5028. Default: the retired ones (models.ts). */
  deprecatedModels?: string[]
  /** Behaviour for requests with no queued behaviour and no directive. */
  defaultBehaviour?: Behaviour
}

/** How a request ended. 'in-progress' until it has. */
export type Outcome =
  | 'in-progress'
  | 'completed'
  | 'error-envelope'
  | 'client-closed'
  | 'dropped'
  | 'stalled'
  | 'refused'

export interface RequestRecord {
  id: number
  method: string
  path: string
  accountId: string | null
  model: string | null
  authorization: string | null
  /** The `x-session-affinity` header, if sent. */
  sessionAffinity: string | null
  /** Parsed JSON body, or the raw string when it is not JSON. */
  body: unknown
  /** Behaviour that was applied ({} when none). */
  behaviour: Behaviour
  /** Where the behaviour came from. */
  behaviourSource: 'title' | 'queue' | 'directive' | 'default' | 'none'
  /** Epoch milliseconds. */
  receivedAt: number
  firstFrameAt?: number
  endedAt?: number
  /** HTTP status written, if any. */
  status?: number
  framesSent: number
  tokensSent: number
  /** The reply's text sent so far (for reasoning models without the thinking and its tags). */
  textSent: string
  /** Reasoning models: the thinking sent so far, without its tags. */
  reasoningSent: string
  clientClosed: boolean
  clientClosedAt?: number
  outcome: Outcome
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** An image a vision model received, as the emulator read it from its bytes. */
export interface SeenImage {
  /** How it came: a content part `image_url` (data: URL), or the request's `image` field (bytes). */
  via: 'image_url' | 'image'
  mediaType: string
  width: number
  height: number
  bytes: number
}

/** The validated subset of the request body that the emulator acts upon. */
export interface RunInput {
  messages: ChatMessage[]
  stream: boolean
  maxTokens: number
  /** Images the request carried, in order (vision models only). */
  images: SeenImage[]
}

/** One token of a reply: text, thinking, or a `<think>` tag around the thinking. */
export interface ReplyToken {
  text: string
  kind: 'answer' | 'reasoning' | 'tag'
}

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}
