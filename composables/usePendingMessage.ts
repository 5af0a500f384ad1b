/**
 * Hands the first message from `/` to `/chat/<id>`: the chat is created first, the page it
 * navigates to sends the message, so nothing typed is lost on the way.
 */
export function usePendingMessage() {
  const pending = useState<{ chatId: number, text: string } | null>('pending-first-message', () => null)

  function take(chatId: number): string | null {
    if (pending.value?.chatId !== chatId) return null
    const text = pending.value.text
    pending.value = null
    return text
  }

  function put(chatId: number, text: string): void {
    pending.value = { chatId, text }
  }

  return { put, take }
}
