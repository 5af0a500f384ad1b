import { createApiKeySchema } from '#shared/contract'

/** POST /api/keys {name} → 201 and the new key, shown this once. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { name } = await readValidatedJson(event, createApiKeySchema)
  const created = await createApiKey(user.id, name)
  setResponseStatus(event, 201)
  setResponseHeader(event, 'cache-control', 'no-store')
  return created
})
