import type { FileUIPart, UIMessage } from 'ai'
import type { ChatMessage, ChatStreamMetadata, MessageFeedback, MessageSiblings, StoredMessage, StoredStatus } from '#shared/contract'
import { IMAGE_LIMITS, LIMITS } from '#shared/contract/limits'
import { CHARS_PER_TOKEN, conversationTokenBudget, findLiveModel } from '#shared/contract/models'

/** What the stream's message metadata carries, plus what we set for messages loaded from the database. */
export interface NeptunMessageMetadata extends Omit<ChatStreamMetadata, 'status'> {
  /** The database id of this message, for messages loaded from GET /api/chats/:id. */
  dbId?: number
  /** How the answer ended, or `streaming` for one loaded while it was still being generated. */
  status?: StoredStatus
  /** The user's rating of an answer, as stored or as set on this page. */
  feedback?: MessageFeedback | null
  /** The versions of this message in the stored chat (edits, regenerated answers). */
  siblings?: MessageSiblings
}

export type NeptunUIMessage = UIMessage<NeptunMessageMetadata>

/** The plain text of a UI message (its text parts joined): the answer, without the thinking. */
export function messageText(message: UIMessage): string {
  return message.parts.map(part => (part.type === 'text' ? part.text : '')).join('')
}

/** A message's thinking (its reasoning parts joined), '' when there is none. */
export function messageReasoning(message: UIMessage): string {
  return message.parts.map(part => (part.type === 'reasoning' ? part.text : '')).join('')
}

/** A message's images (its file parts): data: URLs before they are stored, `/api/images/<id>` after. */
export function messageFiles(message: UIMessage): FileUIPart[] {
  return message.parts.filter((part): part is FileUIPart => part.type === 'file')
}

/**
 * The request body the endpoint accepts: `{messages:[{role,content}]}`, a user message's images
 * as file parts. The thinking stays out: models are not asked to read their earlier thoughts again.
 */
export function toChatRequestMessages(messages: readonly UIMessage[]): ChatMessage[] {
  return messages
    .filter((message): message is UIMessage & { role: 'user' | 'assistant' } => message.role === 'user' || message.role === 'assistant')
    .map((message) => {
      const files = message.role === 'user' ? messageFiles(message) : []
      return {
        role: message.role,
        content: messageText(message),
        ...(files.length ? { parts: files.map(file => ({ type: 'file' as const, mediaType: file.mediaType, url: file.url })) } : {}),
      }
    })
}

/** Bytes of history one chat request may carry: the body limit, less room for the JSON around the messages. */
const REQUEST_HISTORY_BYTES = LIMITS.maxBodyBytes - 64 * LIMITS.maxMessages

/**
 * The characters of history worth sending to `modelName`: what its input budget in the catalogue
 * holds, counted as the server counts (CHARS_PER_TOKEN), so the server's trimming finds all it
 * can use; never more than a request body holds.
 */
export function historyBudget(modelName: string): number {
  const model = findLiveModel(modelName)
  return Math.min(model ? conversationTokenBudget(model) * CHARS_PER_TOKEN : Infinity, LIMITS.maxBodyBytes)
}

/**
 * The newest messages one chat request can carry: at most LIMITS.maxMessages, `maxChars` of text
 * and what fits in a request body (UTF-8, as JSON). The server drops the oldest ones beyond the
 * model's budget anyway. The last message is always kept.
 */
export function requestHistory(messages: readonly ChatMessage[], maxChars: number): ChatMessage[] {
  const encoder = new TextEncoder()
  let chars = 0
  let bytes = 0
  // Images sent as data (not yet stored, or the playground's) have limits of their own: older
  // ones past them are left out, their text stays.
  let dataImages = 0
  let imageBytes = 0
  let start = messages.length
  const kept: ChatMessage[] = []
  while (start > 0 && messages.length - start < LIMITS.maxMessages) {
    const message = messages[start - 1]!
    chars += message.content.length
    bytes += encoder.encode(JSON.stringify(message.content)).length
    if ((chars > maxChars || bytes > REQUEST_HISTORY_BYTES) && start < messages.length) break
    const data = (message.parts ?? []).filter(part => part.type === 'file' && 'url' in part && typeof part.url === 'string' && part.url.startsWith('data:'))
    const size = data.reduce((sum, part) => sum + String((part as { url: string }).url).length, 0)
    const fits = dataImages + data.length <= IMAGE_LIMITS.maxImagesPerRequest && imageBytes + size <= IMAGE_LIMITS.maxChatBodyBytes - LIMITS.maxBodyBytes
    if (data.length && fits) {
      dataImages += data.length
      imageBytes += size
    }
    kept.unshift(data.length && !fits ? { ...message, parts: message.parts!.filter(part => !data.includes(part)) } : message)
    start--
  }
  return kept
}

/** A stored message as a UI message; its id keeps the database id so actions can find it. */
export function storedToUIMessage(message: StoredMessage): NeptunUIMessage {
  const usage = message.promptTokens === null && message.neurons === null
    ? undefined
    : {
        ...(message.promptTokens === null ? {} : { promptTokens: message.promptTokens }),
        ...(message.completionTokens === null ? {} : { completionTokens: message.completionTokens }),
        ...(message.neurons === null ? {} : { neurons: message.neurons }),
        ...(message.costUsd === null ? {} : { costUsd: message.costUsd }),
      }
  return {
    id: `db-${message.id}`,
    role: message.role,
    parts: [
      ...(message.files ?? []).map((file): FileUIPart => ({ type: 'file', mediaType: file.mediaType, url: file.url, filename: `image-${file.id}` })),
      // An answer loaded while it is still thinking shows its thinking as under way.
      ...(message.reasoning ? [{ type: 'reasoning' as const, text: message.reasoning, state: message.status === 'streaming' && !message.content ? 'streaming' as const : 'done' as const }] : []),
      { type: 'text', text: message.content },
    ],
    metadata: {
      dbId: message.id,
      status: message.status,
      ...(message.siblings ? { siblings: message.siblings } : {}),
      ...(message.model ? { model: message.model } : {}),
      ...(usage ? { usage } : {}),
      ...(message.reasoningMs === null ? {} : { reasoningMs: message.reasoningMs }),
      ...(message.finishReason ? { finishReason: message.finishReason } : {}),
      ...(message.feedback ? { feedback: message.feedback } : {}),
    },
  }
}

/**
 * The database id of `messages[index]`, when the client knows it: from the load, or from the
 * stream metadata (the user message's id arrives on the answer that follows it).
 */
export function databaseIdAt(messages: readonly NeptunUIMessage[], index: number): number | undefined {
  const message = messages[index]
  if (!message) return undefined
  if (message.metadata?.dbId) return message.metadata.dbId
  if (message.role === 'assistant') return message.metadata?.assistantMessageId
  return messages[index + 1]?.metadata?.userMessageId
}
