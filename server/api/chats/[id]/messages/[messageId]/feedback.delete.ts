import { messageParamsSchema } from '#shared/contract'

/** DELETE /api/chats/:id/messages/:messageId/feedback: clears the rating of an answer. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id, messageId } = parseOr404(messageParamsSchema, getRouterParams(event))
  await clearFeedback(user.id, id, messageId)
  return sendNoContent(event, 204)
})
