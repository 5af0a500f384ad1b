/**
 * Tells screen readers how an answer goes, politely and a few times per answer, never token by
 * token: "thinking" when the question is sent (a reasoning model's thinking included), "answering"
 * when the answer's first words arrive, and at the end "Answer complete." followed by the answer's
 * text (or that it was stopped or cut off at the model's limit). A failed answer is left to the
 * error alert, which speaks at once (role="alert").
 *
 * @example useAnswerAnnouncements(session)
 */
export function useAnswerAnnouncements(session: ChatSession) {
  const { t } = useI18n()
  const { announce } = useAnnouncer()

  /** The answer being written has words: whatever the model thought first is behind it. */
  const answering = computed(() => {
    if (!session.busy.value) return false
    const last = session.messages.value.at(-1)
    return last?.role === 'assistant' && last.parts.some((part: NeptunUIMessage['parts'][number]) => part.type === 'text' && part.text.length > 0)
  })

  async function announceOutcome(): Promise<void> {
    const messages = session.messages.value
    const last = messages.at(-1)
    if (last?.role !== 'assistant') return
    const outcome = session.statusOf(last, messages.length - 1)
    if (outcome !== 'complete' && outcome !== 'aborted') return
    const answer = await markdownToText(messageText(last))
    if (outcome === 'complete') announce(t(last.metadata?.finishReason === 'length' ? 'announce.cutOff' : 'announce.complete', { answer }))
    else if (outcome === 'aborted') announce(t('announce.stopped', { answer }))
  }

  watch(answering, (now: boolean) => {
    if (now) announce(t('announce.answering'))
  })

  watch(() => session.status.value, (status: string, previous: string | undefined) => {
    if (status === 'submitted') announce(t('announce.thinking'))
    // After the session has recorded how the answer ended.
    else if (previous === 'streaming' || previous === 'submitted') nextTick(() => void announceOutcome())
  })
}
