import { chatIdHeaderSchema, chatRequestSchema, CHAT_ID_HEADER, ERRORS, findModel, isLiveModel, type ChatMessage, type LiveModel, type OpenAiChatRequest } from '#shared/contract'
import type { H3Event } from 'h3'
import type { WorkersAiInputs } from '../workers-ai/index.ts'

/** An OpenAI request as a chat turn takes it: the instructions, the conversation, the settings. */
export interface OpenAiTurn {
  /** The client's system (and developer) messages, joined; undefined when it sent none. */
  system: string | undefined
  messages: ChatMessage[]
  inputs: WorkersAiInputs
}

/**
 * The request's messages and settings in the chat endpoint's terms, checked by the same rules
 * (the last message is the user's and not empty, no NUL). System messages become the
 * instructions wherever they stand.
 *
 * @example const { system, messages, inputs } = openAiTurn(request)
 */
export function openAiTurn(request: OpenAiChatRequest): OpenAiTurn {
  const instructions: string[] = []
  const conversation: ChatMessage[] = []
  for (const { role, content } of request.messages) {
    const text = typeof content === 'string' ? content : (content ?? []).map(part => part.text).join('')
    if (role === 'system' || role === 'developer') instructions.push(text)
    else conversation.push({ role, content: text })
  }
  const { messages } = parseOr400(chatRequestSchema, { messages: conversation })
  const system = instructions.join('\n\n')
  if (system.includes('\u0000')) throw apiError(400, ERRORS.nulCharacter)
  const chosen: WorkersAiInputs = {
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    temperature: request.temperature ?? undefined,
    top_p: request.top_p ?? undefined,
    seed: request.seed ?? undefined,
  }
  const inputs = Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined)) as WorkersAiInputs
  return { system: instructions.length ? system : undefined, messages, inputs }
}

/** The model an OpenAI request names, by its catalogue name: 404 when unknown or retired. */
export function openAiModel(name: string): LiveModel {
  const model = findModel(name)
  if (!model) throw apiError(404, ERRORS.invalidModel)
  if (!isLiveModel(model)) throw apiError(404, ERRORS.serviceRetired)
  return model
}

/** The saved chat of the X-Neptun-Chat-Id header, if any; 400 for a header that is not a chat id. */
export function chatIdHeader(event: H3Event): number | undefined {
  const header = getRequestHeader(event, CHAT_ID_HEADER)
  return header === undefined ? undefined : parseOr400(chatIdHeaderSchema, header.trim())
}
