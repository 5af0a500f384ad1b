export default defineEventHandler(async (event) => {
  await clearUserSession(event)
  return sendNoContent(event, 204)
})
