import type { ChatMessage, ChatStreamMetadata, MessageFeedback } from '#shared/contract'

/** A message as exported: its text and images, and for answers the thinking, the model, the cost and the user's rating. */
export interface ExportedMessage extends Omit<ChatMessage, 'parts'> {
  /** A user message's images: stored ones by their absolute URL (its owner's session opens them), others as data: URLs. */
  files?: { mediaType: string, url: string }[]
  reasoning?: string
  model?: string
  usage?: ChatStreamMetadata['usage']
  feedback?: MessageFeedback
}

export interface ExportableChat {
  title: string
  messages: ExportedMessage[]
}

/** The messages of a conversation as exported (the thinking kept apart from the answer); stored images' URLs made absolute with `origin`. */
export function exportedMessages(messages: readonly NeptunUIMessage[], origin = ''): ExportedMessage[] {
  return messages
    .filter((message): message is NeptunUIMessage & { role: 'user' | 'assistant' } => message.role === 'user' || message.role === 'assistant')
    .map((message) => {
      const reasoning = messageReasoning(message)
      const { model, usage, feedback } = message.metadata ?? {}
      const files = messageFiles(message).map(file => ({ mediaType: file.mediaType, url: file.url.startsWith('/') ? `${origin}${file.url}` : file.url }))
      return {
        role: message.role,
        content: messageText(message),
        ...(files.length ? { files } : {}),
        ...(reasoning ? { reasoning } : {}),
        ...(message.role === 'assistant' && model ? { model } : {}),
        ...(message.role === 'assistant' && usage ? { usage } : {}),
        ...(message.role === 'assistant' && feedback ? { feedback } : {}),
      }
    })
}

/** The words a Markdown export is written with, in the user's language. */
export interface ExportLabels {
  user: string
  assistant: string
  thinking: string
  /** What an image link is called (numbered). */
  image?: string
  /** How a rated answer's feedback is introduced, and the two ratings in words. */
  feedback?: { label: string, up: string, down: string }
}

/**
 * A chat as a Markdown document: a heading, then each turn under its speaker. An answer's
 * thinking comes first, folded in a `<details>` block as chat apps show it; its rating, if any, follows it.
 */
export function chatToMarkdown(chat: ExportableChat, labels: ExportLabels): string {
  const turns = chat.messages.map((message) => {
    const speaker = message.role === 'user' ? labels.user : message.model ? `${labels.assistant} (${message.model})` : labels.assistant
    const thinking = message.reasoning ? `<details>\n<summary>${labels.thinking}</summary>\n\n${message.reasoning}\n\n</details>\n\n` : ''
    const rated = message.feedback && labels.feedback
      ? `\n\n> ${labels.feedback.label}: ${message.feedback.rating === 'up' ? labels.feedback.up : labels.feedback.down}${message.feedback.comment ? ` (${message.feedback.comment.replace(/\s+/g, ' ')})` : ''}`
      : ''
    // Links to stored images; an image never stored (a data: URL) is named, not inlined.
    const images = (message.files ?? []).map((file, at) => {
      const name = `${labels.image ?? 'Image'} ${at + 1}`
      return file.url.startsWith('data:') ? `[${name}]` : `[${name}](${file.url})`
    })
    const shown = images.length ? `${images.join(' ')}\n\n` : ''
    return `### ${speaker}\n\n${thinking}${shown}${message.content}${rated}`
  })
  return `# ${chat.title}\n\n${turns.join('\n\n')}\n`
}

/** A file-system-safe name from a chat title. */
export function exportFileName(title: string, extension: 'md' | 'json'): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'chat'
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
