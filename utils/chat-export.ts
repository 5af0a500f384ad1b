import type { ChatMessage } from '#shared/contract'

export interface ExportableChat {
  title: string
  messages: ChatMessage[]
}

/** A chat as a Markdown document: a heading, then each turn under its speaker. */
export function chatToMarkdown(chat: ExportableChat): string {
  const turns = chat.messages.map(message => `### ${message.role === 'user' ? 'You' : 'Assistant'}\n\n${message.content}`)
  return `# ${chat.title}\n\n${turns.join('\n\n')}\n`
}

/** A file-system-safe name from a chat title. */
export function exportFileName(title: string, extension: 'md' | 'json'): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'chat'
  return `${base}.${extension}`
}

/** Saves text as a file through a temporary object URL (client only). */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
