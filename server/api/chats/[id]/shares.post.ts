import { chatParamsSchema } from '#shared/contract'

/**
 * POST /api/chats/:id/shares → 201 {id, url, …}: a public read-only link to a snapshot of the
 * chat. Sharing a shared chat again keeps its link and takes the snapshot anew (200).
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  const share = await shareChat(user.id, id, requestOrigin(event))
  setResponseStatus(event, share.createdAt === share.updatedAt ? 201 : 200)
  return share
})
