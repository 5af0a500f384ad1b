import { z } from 'zod'
import { chatMessageSchema, createChatSchema, ERRORS, LIMITS } from '#shared/contract'

/**
 * `messages` lets the playground's "Save as chat" keep its conversation; without `model` the
 * chat starts with the user's last used model.
 */
const bodySchema = createChatSchema.extend({
  messages: z.array(chatMessageSchema).max(LIMITS.maxMessages, { error: ERRORS.tooManyMessages }).optional(),
})

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { title, messages, model } = await readValidatedJson(event, bodySchema)
  await assertRateLimits([{ key: `chats:create:${user.id}`, limit: serverConfig().limits.chatCreatesPerMinute, windowSeconds: 60 }], ERRORS.chatCreateRateLimited)
  setResponseStatus(event, 201)
  return createChat(user.id, title, messages, model)
})
