import { chatParamsSchema } from '#shared/contract'

/**
 * GET /api/chats/:id/stream: resumes the chat's answer in progress (useChat's reconnect, or curl
 * after a dropped connection): 200 with its UI message stream from the start, or 204 when the
 * chat has none. 404 for a chat that is not the user's.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  return resumeChatAnswer(event, user.id, id)
})
