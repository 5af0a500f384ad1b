import { ERRORS } from '#shared/contract'

/** Ends this session for good (a copied cookie stops working too); without a valid one, clears the cookie. */
export default defineEventHandler(async (event) => {
  await endSession(event).catch(async (error) => {
    if (error?.statusMessage !== ERRORS.unauthorized) throw error
    await clearUserSession(event)
  })
  return sendNoContent(event, 204)
})
