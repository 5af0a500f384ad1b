/** GET /api/auth/account/export: everything stored about the caller, as a JSON download. */
export default defineEventHandler(async (event) => {
  const { user } = await requireUserOwning(event, undefined, { countApiCall: true })
  setResponseHeader(event, 'content-disposition', `attachment; filename="neptun-chat-export-${user.id}.json"`)
  setResponseHeader(event, 'cache-control', 'no-store')
  return exportAccountData(user.id)
})
