import { chatQuerySchema, ERRORS, findModel, isLiveModel } from '#shared/contract'
import { negotiatedEncoding } from '#server/answer/negotiation'
import { workersAiSettings } from '#server/workers-ai'

/**
 * POST /api/ai/cloudflare/:model_name/chat?chat_id=N[&is_playground=true]
 * The chat endpoint (README: "Talking to the endpoint"); its checks run in the contract's order:
 * session, model, query, body, chat, configuration, then the daily and per-minute limits.
 * `Accept: text/plain` streams the answer as bare text instead of the UI message stream.
 * The optional `parentId` in the body names the stored message the question follows. A user
 * message may carry images as file parts (README: "Images").
 */
export default defineEventHandler(async (event) => {
  // The query is judged in its turn below; its chat id rides along with the session check, so
  // one statement answers "who is this?", "is this their chat?", "what did they spend today?" and
  // counts the turn against the per-minute limit: the only database round trip before Workers AI.
  const query = chatQuerySchema.safeParse(getQuery(event))
  const chatId = query.success && !query.data.is_playground ? query.data.chat_id : undefined
  const signedIn = await requireUserOwning(event, chatId, { neuronsToday: true, countChatTurn: true })
  const { user, ownsChat, neuronsToday, allowedModels, dailyNeuronLimit } = signedIn

  const model = findModel(getRouterParam(event, 'model_name') ?? '')
  if (!model) throw apiError(400, ERRORS.invalidModel)
  if (!isLiveModel(model)) throw apiError(400, ERRORS.serviceRetired)
  assertModelAllowed(allowedModels, model.name)

  dataOr400(query)
  const { messages, parentId } = await readChatRequest(event)

  if (chatId !== undefined && !ownsChat) throw apiError(404, ERRORS.chatNotFound)
  const images = await readTurnImages(user.id, model, messages)

  const settings = workersAiSettings(event)
  if (!settings) throw apiError(500, ERRORS.notConfigured)

  assertDailyNeuronLimit(neuronsToday, dailyNeuronLimit)
  assertChatRateLimit(signedIn)

  // `messages` is the chat's active path as the client sees it: one that leaves the stored path
  // (an edited question, a regenerated answer) starts a new branch where it leaves.
  const place = { history: messages.slice(0, -1), parentId }
  return streamChatAnswer(event, { user, model, settings, messages, chatId, place, images }, negotiatedEncoding(event))
})
