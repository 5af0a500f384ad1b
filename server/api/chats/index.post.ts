import { createChatRequestSchema, ERRORS } from '#shared/contract'

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { title, messages, model } = await readValidatedJson(event, createChatRequestSchema)
  await assertRateLimits([{ key: `chats:create:${user.id}`, limit: serverConfig().limits.chatCreatesPerMinute, windowSeconds: 60 }], ERRORS.chatCreateRateLimited)
  setResponseStatus(event, 201)
  return createChat(user.id, title, messages, model)
})
