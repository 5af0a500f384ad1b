/**
 * Tells screen readers how an answer goes, politely and a few times per answer, never token by
 * token: "thinking" when the question is sent, "answering" at the first token, and at the end
 * "Answer complete." followed by the answer's text (or that it was stopped). A failed answer is
 * left to the error alert, which speaks at once (role="alert").
 *
 * @example useAnswerAnnouncements(session)
 */
export function useAnswerAnnouncements(session: ChatSession) {
  const { t } = useI18n()
  const { announce } = useAnnouncer()

  function announceOutcome(): void {
    const messages = session.messages.value
    const last = messages.at(-1)
    if (last?.role !== 'assistant') return
    const outcome = session.statusOf(last, messages.length - 1)
    const answer = markdownToText(messageText(last))
    if (outcome === 'complete') announce(t('announce.complete', { answer }))
    else if (outcome === 'aborted') announce(t('announce.stopped', { answer }))
  }

  watch(() => session.status.value, (status: string, previous: string | undefined) => {
    if (status === 'submitted') announce(t('announce.thinking'))
    else if (status === 'streaming' && previous === 'submitted') announce(t('announce.answering'))
    // After the session has recorded how the answer ended.
    else if (previous === 'streaming' || previous === 'submitted') nextTick(announceOutcome)
  })
}
