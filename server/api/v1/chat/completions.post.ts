import { randomUUID } from 'node:crypto'
import { CHAT_ID_HEADER, ERRORS, openAiChatRequestSchema } from '#shared/contract'
import { readerEvents } from '#server/answer/events'
import { openAiChunks, openAiCompletion } from '#server/answer/openai-chat'
import { workersAiSettings } from '#server/workers-ai'

/**
 * POST /api/v1/chat/completions: OpenAI's chat completions, streamed (`stream: true`) or as one
 * JSON. API keys only. Stateless, unless X-Neptun-Chat-Id names one of the user's saved chats:
 * then the exchange (the last user message and the answer) is appended to it. The checks are
 * the chat endpoint's, with OpenAI's statuses: a 404 for an unknown model.
 */
export default defineEventHandler(async (event) => {
  const chatId = chatIdHeader(event)
  const signedIn = await requireApiKeyHolder(event, chatId, { neuronsToday: true, countChatTurn: true })
  const { user, ownsChat, neuronsToday, allowedModels, dailyNeuronLimit } = signedIn
  const request = await readValidatedJson(event, openAiChatRequestSchema)
  const model = openAiModel(request.model)
  assertModelAllowed(allowedModels, model.name)
  const { system, messages, inputs } = openAiTurn(request)
  if (chatId !== undefined && !ownsChat) throw apiError(404, ERRORS.chatNotFound)

  const settings = workersAiSettings(event)
  if (!settings) throw apiError(500, ERRORS.notConfigured)

  assertDailyNeuronLimit(neuronsToday, dailyNeuronLimit)
  assertChatRateLimit(signedIn)

  if (chatId !== undefined) setResponseHeader(event, CHAT_ID_HEADER, String(chatId))
  const turn = { user, model, settings, messages, chatId, system, inputs }
  const identity = { id: `chatcmpl-${randomUUID()}`, created: Math.floor(Date.now() / 1000), model: model.name }
  if (request.stream) return streamChatAnswer(event, turn, openAiChunks(identity, { includeUsage: request.stream_options?.include_usage === true }))
  const started = await startChatAnswer(event, turn)
  if (!started) return sendNoContent(event, 204)
  return openAiCompletion(identity, readerEvents(started.reader))
})
