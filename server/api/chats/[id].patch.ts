import { chatParamsSchema, renameChatSchema } from '#shared/contract'

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  const { title } = await readValidatedJson(event, renameChatSchema)
  return renameChat(user.id, id, title)
})
