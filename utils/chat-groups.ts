import type { ChatSummary } from '#shared/contract'

export interface ChatGroup {
  label: 'Today' | 'Yesterday' | 'Previous 7 days' | 'Older'
  chats: ChatSummary[]
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Groups chats (already newest first) by their last activity, as in every chat product's sidebar.
 *
 * @example
 * groupChatsByDate(chats, new Date()) // [{ label: 'Today', chats: [...] }, { label: 'Older', chats: [...] }]
 */
export function groupChatsByDate(chats: readonly ChatSummary[], now: Date = new Date()): ChatGroup[] {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()
  const groups: ChatGroup[] = [
    { label: 'Today', chats: [] },
    { label: 'Yesterday', chats: [] },
    { label: 'Previous 7 days', chats: [] },
    { label: 'Older', chats: [] },
  ]
  for (const chat of chats) {
    const at = new Date(chat.updatedAt).getTime()
    const group = at >= startOfToday ? 0 : at >= startOfToday - DAY_MS ? 1 : at >= startOfToday - 7 * DAY_MS ? 2 : 3
    groups[group]!.chats.push(chat)
  }
  return groups.filter(group => group.chats.length > 0)
}
