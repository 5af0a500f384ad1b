import { chatListQuerySchema } from '#shared/contract'

/** GET /api/chats[?q=]: the user's chats, newest first; with q, those that match it, best first, with snippets. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const q = parseOr400(chatListQuerySchema, getQuery(event)).q?.trim()
  return q ? searchChats(user.id, q) : listChats(user.id)
})
