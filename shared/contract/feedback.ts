import { z } from 'zod'
import { ERRORS } from './errors.ts'
import { LIMITS } from './limits.ts'
import { idSchema } from './schemas.ts'

/** A thumbs up or down on an answer. */
export const FEEDBACK_RATINGS = ['up', 'down'] as const
export type FeedbackRating = typeof FEEDBACK_RATINGS[number]

/** An answer's feedback as stored and shown (exports, the chat page). */
export interface MessageFeedback {
  rating: FeedbackRating
  /** Null when the user wrote none. */
  comment: string | null
}

/** PUT /api/chats/:id/messages/:messageId/feedback: sets or replaces the answer's feedback. */
export const feedbackSchema = z.object({
  rating: z.enum(FEEDBACK_RATINGS, { error: ERRORS.feedbackRatingInvalid }),
  comment: z.string({ error: ERRORS.feedbackCommentTooLong }).trim()
    .max(LIMITS.maxFeedbackCommentChars, { error: ERRORS.feedbackCommentTooLong })
    .refine(value => !value.includes('\u0000'), { error: ERRORS.nulCharacter })
    .optional(),
})

/** A message of a chat in a path (`/api/chats/:id/messages/:messageId/…`). */
export const messageParamsSchema = z.object({ id: idSchema, messageId: idSchema })

/** The ratings of a user's answers written by one model (GET /api/usage). */
export interface ModelFeedback {
  model: string
  up: number
  down: number
}
