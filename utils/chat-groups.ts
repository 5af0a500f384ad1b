import type { ChatSummary } from '#shared/contract'

export interface ChatGroup {
  /** Its heading's key under `sidebar.groups` in the locale files. */
  period: 'pinned' | 'today' | 'yesterday' | 'previous7Days' | 'older'
  chats: ChatSummary[]
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Groups chats (already pinned and newest first) by their last activity, as in every chat
 * product's sidebar; days end at the browser's midnight. Pinned chats come first, in a group of their own.
 *
 * @example
 * groupChatsByDate(chats, new Date()) // [{ period: 'today', chats: [...] }, { period: 'older', chats: [...] }]
 */
export function groupChatsByDate(chats: readonly ChatSummary[], now: Date = new Date()): ChatGroup[] {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()
  const groups: ChatGroup[] = [
    { period: 'pinned', chats: [] },
    { period: 'today', chats: [] },
    { period: 'yesterday', chats: [] },
    { period: 'previous7Days', chats: [] },
    { period: 'older', chats: [] },
  ]
  for (const chat of chats) {
    const at = new Date(chat.updatedAt).getTime()
    const group = chat.pinned ? 0 : at >= startOfToday ? 1 : at >= startOfToday - DAY_MS ? 2 : at >= startOfToday - 7 * DAY_MS ? 3 : 4
    groups[group]!.chats.push(chat)
  }
  return groups.filter(group => group.chats.length > 0)
}
