/** GET /api/keys: the user's keys, newest first, without the keys themselves. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return listApiKeys(user.id)
})
