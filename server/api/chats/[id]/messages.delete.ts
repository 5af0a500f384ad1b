import { chatParamsSchema, truncateQuerySchema } from '#shared/contract'

/** DELETE /api/chats/:id/messages?from=<messageId>: removes that message and every later one. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  const { from } = parseOr400(truncateQuerySchema, getQuery(event))
  await truncateChat(user.id, id, from)
  return sendNoContent(event, 204)
})
