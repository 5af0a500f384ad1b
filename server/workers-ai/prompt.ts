import type { ModelRequest } from './parts.ts'

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/**
 * The messages a model is sent: the system prompt first, as a message of its own; or, for models
 * whose vendor advises against a system prompt (the DeepSeek-R1 distills), in front of the first
 * user message. Only `role` and `content` of each message go.
 *
 * @example promptMessages({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], … })
 */
export function promptMessages(request: Pick<ModelRequest, 'system' | 'messages' | 'reasoning'>): PromptMessage[] {
  const messages: PromptMessage[] = request.messages.map(({ role, content }) => ({ role, content }))
  if (!request.reasoning?.instructionsInUserTurn) return [{ role: 'system', content: request.system }, ...messages]
  const first = messages.findIndex(message => message.role === 'user')
  messages[first] = { role: 'user', content: `${request.system}\n\n${messages[first]!.content}` }
  return messages
}
