// @vitest-environment nuxt
// An answer's feedback: it comes back from storage with the answer, is exported in JSON and
// Markdown, and its buttons show only where it can be stored (not in the playground).
import { describe, expect, it } from 'vitest'
import ChatMessage from '~/components/chat/ChatMessage.vue'
import { chatToMarkdown, exportedMessages } from '~/utils/chat-export'
import { storedToUIMessage, type NeptunUIMessage } from '~/utils/chat-messages'
import { mountInApp } from './mount-in-app'

const rated = storedToUIMessage({
  id: 7, role: 'assistant', content: 'Paris.', status: 'complete', model: 'llama-3.3-70b-instruct-fp8-fast', promptTokens: 10, completionTokens: 2,
  neurons: 1, costUsd: 0.00001, reasoning: null, reasoningMs: null, finishReason: 'stop', createdAt: new Date().toISOString(),
  parentId: 6, siblings: { index: 0, count: 1, ids: [7] }, feedback: { rating: 'down', comment: 'Too short,\nsay more' },
})
const question: NeptunUIMessage = { id: 'q', role: 'user', parts: [{ type: 'text', text: 'Capital of France?' }] }
const labels = { user: 'You', assistant: 'Assistant', thinking: 'Thinking', feedback: { label: 'Feedback', up: 'good answer', down: 'bad answer' } }

describe('an answer\'s feedback', () => {
  it('comes back from storage with the answer', () => {
    expect(rated.metadata?.feedback).toEqual({ rating: 'down', comment: 'Too short,\nsay more' })
  })

  it('is exported: its own field in JSON, a quoted line after the answer in Markdown', () => {
    const messages = exportedMessages([question, rated])
    expect(messages[0]).not.toHaveProperty('feedback')
    expect(messages[1]).toMatchObject({ role: 'assistant', content: 'Paris.', feedback: { rating: 'down', comment: 'Too short,\nsay more' } })
    const markdown = chatToMarkdown({ title: 'France', messages }, labels)
    expect(markdown).toContain('Paris.\n\n> Feedback: bad answer (Too short, say more)\n')
    expect(chatToMarkdown({ title: 'France', messages: exportedMessages([question, { ...rated, metadata: { ...rated.metadata, feedback: null } }]) }, labels)).not.toContain('Feedback')
  })

  it('offers no buttons where nothing is stored (no chat lends its id: the playground)', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: rated, status: 'complete', canRegenerate: true, canEdit: true })
    expect(wrapper.find('[data-testid="copy-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="feedback-up"]').exists()).toBe(false)
  })
})
