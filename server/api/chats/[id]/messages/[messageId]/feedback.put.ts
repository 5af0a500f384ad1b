import { feedbackSchema, messageParamsSchema } from '#shared/contract'

/** PUT /api/chats/:id/messages/:messageId/feedback {rating, comment?}: rates an answer of the user's chat. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id, messageId } = parseOr404(messageParamsSchema, getRouterParams(event))
  const feedback = await readValidatedJson(event, feedbackSchema)
  return setFeedback(user.id, id, messageId, feedback)
})
