import { ERRORS, SHARE_ID_PATTERN } from '#shared/contract'

const IMAGE_ID = /^[\w-]{22}$/

/**
 * GET /api/shares/:id/images/:imageId, public: an image the share's snapshot shows, for anyone
 * with the link; 404 once the share is revoked or the image is gone, and for any image the
 * snapshot does not show.
 */
export default defineEventHandler(async (event) => {
  setResponseHeader(event, 'x-robots-tag', 'noindex')
  const id = getRouterParam(event, 'id') ?? ''
  const imageId = getRouterParam(event, 'imageId') ?? ''
  const image = SHARE_ID_PATTERN.test(id) && IMAGE_ID.test(imageId) ? await readSharedImage(id, imageId) : undefined
  if (!image) throw apiError(404, ERRORS.imageNotFound)
  return imageResponse(event, image)
})
