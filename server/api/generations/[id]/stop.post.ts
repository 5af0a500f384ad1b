import { z } from 'zod'
import { ERRORS, generationParamsSchema } from '#shared/contract'

/**
 * POST /api/generations/:id/stop: stops a running answer (its id comes in the stream's `start`
 * frame, and with a `streaming` answer in GET /api/chats/:id), from any connection: a saved
 * chat's answer goes on when its client leaves, so this is how it ends early. The partial answer
 * is kept as `aborted`; every reader's stream ends with an abort frame.
 * 204 when stopped here, 202 when passed to the other instances, 404 when nobody has it.
 */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const params = z.safeParse(generationParamsSchema, getRouterParams(event))
  if (!params.success) throw apiError(404, ERRORS.generationNotFound)
  const result = await stopGeneration(user.id, params.data.id)
  if (result === 'unknown') throw apiError(404, ERRORS.generationNotFound)
  return sendNoContent(event, result === 'stopped' ? 204 : 202)
})
