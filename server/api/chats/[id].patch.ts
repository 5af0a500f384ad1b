import { chatParamsSchema, updateChatSchema } from '#shared/contract'

/** PATCH /api/chats/:id {title?, model?}: renames the chat, or picks the model of its next turn. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { id } = parseOr404(chatParamsSchema, getRouterParams(event))
  const change = await readValidatedJson(event, updateChatSchema)
  return updateChat(user.id, id, change)
})
