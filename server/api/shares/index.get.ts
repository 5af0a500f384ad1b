/** GET /api/shares: the user's shared chats, the most recently taken snapshot first. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return listShares(user.id, requestOrigin(event))
})
