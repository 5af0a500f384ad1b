import type { ChatWithMessages, MessageSiblings } from '#shared/contract'
import type { Ref } from 'vue'

export interface ChatVersionsOptions {
  /** The saved chat's id, or null for the playground (no versions: nothing is stored). */
  chatId: number | null
  /** The messages shown (useChat's). */
  messages: Ref<NeptunUIMessage[]>
  /** Whether stored messages older than the shown ones exist. */
  hasEarlier?: Ref<boolean>
}

/**
 * The versions of a saved chat's messages, for a chat session: where a question goes in the
 * stored tree (the request's `parentId`), the ‹ 2 / 3 › counts once such a turn
 * has ended, and showing another version.
 */
export function useChatVersions(options: ChatVersionsOptions) {
  /** The turn under way makes a new version: the counts shown change when it ends. */
  let branched = false

  /** The next question is an edit, or asks a question again for another answer. */
  function expectNewVersion(): void {
    branched = options.chatId !== null
  }

  /**
   * The `parentId` of a request whose UI messages are `messages` (the new question last): the
   * stored message before the question, so an edit or a regenerated answer becomes a new version
   * there, and a turn after a version switch continues the version shown. Undefined when its id
   * is unknown (a request failed before the server said, or the message is on a page not shown):
   * the server then finds the place from the history sent.
   */
  function parentIdFor(messages: readonly NeptunUIMessage[]): number | null | undefined {
    if (options.chatId === null) return undefined
    const question = messages.length - 1
    if (question === 0) return options.hasEarlier?.value ? undefined : null
    return databaseIdAt(messages, question - 1)
  }

  function turnEnded(): void {
    if (!branched) return
    branched = false
    void refresh()
  }

  /** The versions of each shown message, as the stored chat has them now. */
  async function refresh(): Promise<void> {
    const stored = await $fetch<ChatWithMessages>(`/api/chats/${options.chatId}`).catch(() => undefined)
    if (!stored) return
    const counts = new Map<number, MessageSiblings>(stored.messages.map(message => [message.id, message.siblings]))
    const shown = options.messages.value
    options.messages.value = shown.map((message, at) => {
      const siblings = counts.get(databaseIdAt(shown, at) ?? 0)
      return siblings ? { ...message, metadata: { ...message.metadata, siblings } } : message
    })
  }

  /**
   * Shows another version of `messages[index]` (the stored message `versionId`): the chat's
   * active path goes through it, and what follows it is that version's branch.
   */
  async function show(index: number, versionId: number): Promise<void> {
    if (options.chatId === null) return
    const stored = await $fetch<ChatWithMessages>(`/api/chats/${options.chatId}/messages/${versionId}/activate`, { method: 'POST' })
    const from = stored.messages.findIndex(message => message.id === versionId)
    const page = stored.messages.map(storedToUIMessage)
    if (from === -1) {
      // The version is older than the newest page of its branch: show that page.
      if (options.hasEarlier) options.hasEarlier.value = stored.hasEarlier
      options.messages.value = page
    }
    else {
      options.messages.value = [...options.messages.value.slice(0, index), ...page.slice(from)]
    }
  }

  return { expectNewVersion, parentIdFor, turnEnded, show }
}
