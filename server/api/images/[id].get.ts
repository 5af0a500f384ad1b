import { ERRORS } from '#shared/contract'

const IMAGE_ID = /^[\w-]{22}$/

/**
 * GET /api/images/:id: an image stored with one of the caller's chats. Another user's image is a
 * 404, like a missing one.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const id = getRouterParam(event, 'id') ?? ''
  const image = IMAGE_ID.test(id) ? await useImageStore().get(id, user.id) : undefined
  if (!image) throw apiError(404, ERRORS.imageNotFound)
  return imageResponse(event, image)
})
