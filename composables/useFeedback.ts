import type { InjectionKey } from 'vue'
import type { FeedbackRating, MessageFeedback } from '#shared/contract'

/** What a saved chat's page lends its answers for rating them. */
export interface FeedbackTarget {
  chatId: number
  /** The page keeps its messages' feedback, so an export shows what was rated here. */
  changed: (messageId: number, feedback: MessageFeedback | null) => void
}

const FEEDBACK_TARGET: InjectionKey<FeedbackTarget> = Symbol('feedback-target')

/** Called by a saved chat's page: its answers can be rated. The playground offers no ratings. */
export function provideFeedback(target: FeedbackTarget): void {
  provide(FEEDBACK_TARGET, target)
}

/**
 * Rates answer `messageId` of the page's chat: `rate` sets or replaces the rating (and comment),
 * `clear` removes it. Null when the page stores nothing (the playground).
 *
 * @example const feedback = useFeedback(); await feedback?.rate(42, 'up')
 */
export function useFeedback() {
  const target = inject(FEEDBACK_TARGET, null)
  if (!target) return null
  const path = (messageId: number) => `/api/chats/${target.chatId}/messages/${messageId}/feedback`
  return {
    async rate(messageId: number, rating: FeedbackRating, comment?: string): Promise<MessageFeedback> {
      const saved = await $fetch<MessageFeedback>(path(messageId), { method: 'PUT', body: { rating, ...(comment === undefined ? {} : { comment }) } })
      target.changed(messageId, saved)
      return saved
    },
    async clear(messageId: number): Promise<void> {
      await $fetch(path(messageId), { method: 'DELETE' })
      target.changed(messageId, null)
    },
  }
}
