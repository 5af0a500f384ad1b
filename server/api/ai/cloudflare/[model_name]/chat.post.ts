import { chatQuerySchema, chatRequestSchema, ERRORS, findModel } from '#shared/contract'

/**
 * POST /api/ai/cloudflare/:model_name/chat?chat_id=N[&is_playground=true]
 * The seed's contract; checks run in its order: session, model, query, body, chat, configuration.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)

  const model = findModel(getRouterParam(event, 'model_name') ?? '')
  if (!model) throw apiError(400, ERRORS.invalidModel)
  if (model.retired) throw apiError(400, ERRORS.serviceRetired)

  const query = parseOr400(chatQuerySchema, getQuery(event))
  const { messages } = await readValidatedJson(event, chatRequestSchema)

  const chatId = query.is_playground ? undefined : query.chat_id
  if (chatId !== undefined) await assertChatOwner(user.id, chatId)

  const settings = workersAiSettings(event)
  if (!settings) throw apiError(500, ERRORS.notConfigured)

  await assertChatRateLimit(user.id)

  return streamChatAnswer(event, { user, model, settings, messages, chatId })
})
