/**
 * Words for screen readers, spoken politely (after what they are saying) by the one live region
 * in app.vue. For state changes, never for every token: a stream announced token by token is
 * noise. Errors are not announced here: error alerts carry role="alert" and are spoken at once.
 *
 * @example
 * const { announce } = useAnnouncer()
 * announce(t('announce.answerComplete', { answer }))
 */
export function useAnnouncer() {
  const announcement = useState('announcement', () => ({ text: '', count: 0 }))

  function announce(text: string): void {
    // The count makes a repeated sentence a new announcement.
    announcement.value = { text, count: announcement.value.count + 1 }
  }

  return { announcement, announce }
}
