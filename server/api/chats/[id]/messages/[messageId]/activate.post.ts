import { chatParamsSchema, ERRORS, idSchema } from '#shared/contract'

/**
 * POST /api/chats/:id/messages/:messageId/activate: switches the chat's active path to that
 * version of a message; answers the chat with the newest page of its new path.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  const messageId = idSchema.safeParse(getRouterParam(event, 'messageId'))
  if (!messageId.success) throw apiError(404, ERRORS.messageNotFound)
  return activateMessage(user.id, id, messageId.data)
})
