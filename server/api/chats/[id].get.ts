import { chatParamsSchema } from '#shared/contract'

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  return getChatWithMessages(user.id, id)
})
