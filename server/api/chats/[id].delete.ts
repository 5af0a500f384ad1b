import { chatParamsSchema } from '#shared/contract'

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  await deleteChat(user.id, id)
  return sendNoContent(event, 204)
})
