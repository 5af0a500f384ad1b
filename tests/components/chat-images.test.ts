// @vitest-environment nuxt
// A question's images: they come back from storage as file parts, show in the conversation,
// go back to the endpoint as stored URLs, and are exported (Markdown links, JSON entries).
import { describe, expect, it } from 'vitest'
import ChatMessage from '~/components/chat/ChatMessage.vue'
import { chatToMarkdown, exportedMessages } from '~/utils/chat-export'
import { requestHistory, storedToUIMessage, toChatRequestMessages } from '~/utils/chat-messages'
import { mountInApp } from './mount-in-app'

const file = { id: 'AAAAAAAAAAAAAAAAAAAAAA', url: '/api/images/AAAAAAAAAAAAAAAAAAAAAA', mediaType: 'image/png' as const, size: 70, width: 3, height: 2 }
const question = storedToUIMessage({
  id: 6, role: 'user', content: 'What is this?', status: 'complete', model: null, promptTokens: null, completionTokens: null,
  neurons: null, costUsd: null, reasoning: null, reasoningMs: null, finishReason: null, createdAt: new Date().toISOString(),
  parentId: null, siblings: { index: 0, count: 1, ids: [6] }, files: [file],
})
const labels = { user: 'You', assistant: 'Assistant', thinking: 'Thinking', image: 'Image' }

describe('a question\'s images', () => {
  it('come back from storage as file parts and go to the endpoint by their stored URL', () => {
    expect(question.parts.filter(part => part.type === 'file')).toEqual([{ type: 'file', mediaType: 'image/png', url: file.url, filename: `image-${file.id}` }])
    expect(toChatRequestMessages([question])).toEqual([{ role: 'user', content: 'What is this?', parts: [{ type: 'file', mediaType: 'image/png', url: file.url }] }])
  })

  it('show in the conversation with a text alternative', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: question, status: 'complete', canRegenerate: false, canEdit: true })
    const image = wrapper.find('[data-testid="message-image"]')
    expect(image.attributes('src')).toBe(file.url)
    expect(image.attributes('alt')).toBeTruthy()
  })

  it('are exported: absolute links in Markdown, entries in JSON', () => {
    const messages = exportedMessages([question], 'https://neptun.example')
    expect(messages[0]!.files).toEqual([{ mediaType: 'image/png', url: `https://neptun.example${file.url}` }])
    expect(chatToMarkdown({ title: 'Pictures', messages }, labels)).toContain(`[Image 1](https://neptun.example${file.url})\n\nWhat is this?`)
  })

  it('leave the request history past the data limit, their text stays', () => {
    const data = { type: 'file' as const, mediaType: 'image/png', url: `data:image/png;base64,${'A'.repeat(100)}` }
    const history = Array.from({ length: 6 }, (_, i) => ({ role: 'user' as const, content: `q${i}`, parts: [data] }))
    const sent = requestHistory(history, 100_000)
    expect(sent.map(message => message.content)).toEqual(history.map(message => message.content))
    expect(sent.filter(message => message.parts?.length).length).toBe(4)
    expect(sent.at(-1)!.parts).toEqual([data])
  })
})
