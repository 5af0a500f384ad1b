import type { FileUIPart } from 'ai'

/** The first message of a new chat: its text and images. */
export interface PendingMessage {
  text: string
  files: FileUIPart[]
}

/**
 * Hands the first message from `/` to `/chat/<id>`: the chat is created first, the page it
 * navigates to sends the message, so nothing typed (or attached) is lost on the way.
 */
export function usePendingMessage() {
  const pending = useState<({ chatId: number } & PendingMessage) | null>('pending-first-message', () => null)

  function take(chatId: number): PendingMessage | null {
    if (pending.value?.chatId !== chatId) return null
    const { text, files } = pending.value
    pending.value = null
    return { text, files }
  }

  function put(chatId: number, text: string, files: FileUIPart[] = []): void {
    pending.value = { chatId, text, files }
  }

  return { put, take }
}
