import { chatPageQuerySchema, chatParamsSchema } from '#shared/contract'

/** GET /api/chats/:id[?before=<messageId>]: the chat and its newest page of messages, or the page before a message. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  const { before } = parseOr400(chatPageQuerySchema, getQuery(event))
  return getChatWithMessages(user.id, id, before)
})
