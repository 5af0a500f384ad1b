// @vitest-environment nuxt
// A reasoning model's answer in the message list: the thinking in its own block (open while it
// streams, folded to "Thought for …" after), never inside the answer; who wrote the answer and
// what it cost; the notice for an answer cut off at its budget; thinking kept out of copies of
// the answer and out of the next request, and in the export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nextTick, reactive } from 'vue'
import { useNuxtApp } from '#imports'
import ChatMessage from '~/components/chat/ChatMessage.vue'
import ChatReasoning from '~/components/chat/ChatReasoning.vue'
import { chatToMarkdown, exportedMessages } from '~/utils/chat-export'
import { storedToUIMessage, toChatRequestMessages, type NeptunUIMessage } from '~/utils/chat-messages'
import { mountInApp } from './mount-in-app'

function thinkingAnswer(state: 'streaming' | 'done', text = 'The sky scatters **blue** light.'): NeptunUIMessage {
  return {
    id: 'a-1',
    role: 'assistant',
    parts: [{ type: 'reasoning', text: 'Rayleigh scattering, <b>shorter</b> wavelengths…', state }, ...(text ? [{ type: 'text' as const, text }] : [])],
    metadata: { model: 'qwq-32b', usage: { promptTokens: 1200, completionTokens: 340, neurons: 102.9, costUsd: 0.00113 }, reasoningMs: 4200 },
  }
}

describe('ChatReasoning', () => {
  it('streams open as "Thinking…", then folds to "Thought for N seconds"', async () => {
    const props = reactive<{ messageId: string, text: string, streaming: boolean, durationMs?: number }>({ messageId: 'a1', text: 'Step one', streaming: true })
    const wrapper = await mountInApp(ChatReasoning, props)
    const block = wrapper.find('[data-testid="reasoning"]')
    expect(block.attributes('data-open')).toBe('true')
    expect(wrapper.find('[data-testid="reasoning-toggle"]').text()).toBe('Thinking…')
    expect(wrapper.find('[data-testid="reasoning-toggle"]').attributes('aria-controls')).toBe(wrapper.find('[data-testid="reasoning-text"]').attributes('id'))
    expect(wrapper.find('[data-testid="reasoning-toggle"]').attributes('aria-expanded')).toBe('true')
    Object.assign(props, { text: 'Step one. Step two.', streaming: false, durationMs: 65_000 })
    await nextTick()
    expect(block.attributes('data-open')).toBe('false')
    expect(wrapper.find('[data-testid="reasoning-toggle"]').text()).toBe('Thought for 1 minute 5 seconds')
    await wrapper.find('[data-testid="reasoning-toggle"]').trigger('click')
    expect(block.attributes('data-open')).toBe('true')
    expect(wrapper.find('[data-testid="reasoning-text"]').text()).toBe('Step one. Step two.')
  })

  it('stays open when the user opened it while it streamed', async () => {
    const props = reactive({ messageId: 'a2', text: 'a', streaming: true })
    const wrapper = await mountInApp(ChatReasoning, props)
    await wrapper.find('[data-testid="reasoning-toggle"]').trigger('click')
    await wrapper.find('[data-testid="reasoning-toggle"]').trigger('click')
    props.streaming = false
    await nextTick()
    expect(wrapper.find('[data-testid="reasoning"]').attributes('data-open')).toBe('true')
  })
})

describe('ChatMessage with thinking', () => {
  it('shows the thinking in its block as plain text, the answer as markdown, and never one in the other', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: thinkingAnswer('done'), status: 'complete', canRegenerate: true, canEdit: true })
    expect(wrapper.find('[data-testid="reasoning-text"]').text()).toBe('Rayleigh scattering, <b>shorter</b> wavelengths…')
    expect(wrapper.find('[data-testid="reasoning-text"] b').exists()).toBe(false)
    expect(wrapper.find('.chat-markdown').text()).toBe('The sky scatters blue light.')
    expect(wrapper.find('.chat-markdown').text()).not.toContain('Rayleigh')
    expect(wrapper.find('[data-testid="reasoning-toggle"]').text()).toBe('Thought for 4 seconds')
  })

  it('names the model and the cost in the details shown on hover', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: thinkingAnswer('done'), status: 'complete', canRegenerate: false, canEdit: false })
    expect(wrapper.find('[data-testid="message-meta"]').text()).toBe('QwQ 32B · 1,200 in + 340 out tokens · 103 Neurons · $0.0011')
  })

  it('shows the thinking instead of the typing dots while the model thinks', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: thinkingAnswer('streaming', ''), status: 'streaming', canRegenerate: false, canEdit: false })
    expect(wrapper.find('[data-testid="reasoning"]').attributes('data-state')).toBe('streaming')
    expect(wrapper.text()).not.toContain('No answer.')
    expect(wrapper.find('[data-testid="message-meta"]').exists()).toBe(false)
  })

  it('explains an answer cut off at the budget, with or without text', async () => {
    const cut = { ...thinkingAnswer('done'), metadata: { ...thinkingAnswer('done').metadata, finishReason: 'length' as const } }
    const withText = await mountInApp(ChatMessage, { message: cut, status: 'complete', canRegenerate: true, canEdit: true })
    expect(withText.find('[data-testid="cut-off-notice"]').text()).toMatch(/The answer was cut off.*output limit of 12,000 tokens/)
    const noText = await mountInApp(ChatMessage, { message: { ...cut, parts: cut.parts.slice(0, 1) }, status: 'complete', canRegenerate: true, canEdit: true })
    expect(noText.find('[data-testid="cut-off-notice"]').text()).toMatch(/whole budget thinking/)
    expect(noText.text()).not.toContain('No answer.')
  })
})

describe('in German', () => {
  beforeAll(async () => { await useNuxtApp().$i18n.setLocale('de') })
  afterAll(async () => { await useNuxtApp().$i18n.setLocale('en') })

  it('the thinking block says how long the model thought, with German plurals', async () => {
    const wrapper = await mountInApp(ChatReasoning, { messageId: 'a1', text: 'Schritt eins', streaming: false, durationMs: 65_000 })
    expect(wrapper.find('[data-testid="reasoning-toggle"]').text()).toBe('1 Minute, 5 Sekunden lang nachgedacht')
    const streaming = await mountInApp(ChatReasoning, { messageId: 'a1', text: 'Schritt', streaming: true })
    expect(streaming.find('[data-testid="reasoning-toggle"]').text()).toBe('Denkt nach …')
  })

  it('the details on hover write numbers and dollars as German does', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: thinkingAnswer('done'), status: 'complete', canRegenerate: false, canEdit: false })
    expect(wrapper.find('[data-testid="message-meta"]').text().replace(/\u00A0/g, ' ')).toBe('QwQ 32B · 1.200 Eingabe- + 340 Ausgabe-Tokens · 103 Neurons · 0,0011 $')
  })

  it('the cut-off notice is German too', async () => {
    const cut = { ...thinkingAnswer('done'), metadata: { ...thinkingAnswer('done').metadata, finishReason: 'length' as const } }
    const wrapper = await mountInApp(ChatMessage, { message: cut, status: 'complete', canRegenerate: true, canEdit: true })
    expect(wrapper.find('[data-testid="cut-off-notice"]').text()).toMatch(/Die Antwort wurde abgeschnitten.*Ausgabegrenze von 12\.000 Tokens/)
  })
})

describe('thinking in what leaves the page', () => {
  const stored = storedToUIMessage({
    id: 5, role: 'assistant', content: 'Blue.', status: 'complete', model: 'deepseek-r1-distill-qwen-32b', promptTokens: 10, completionTokens: 20,
    neurons: 9.33, costUsd: 0.0001, reasoning: 'Light scatters.', reasoningMs: 1500, finishReason: 'stop', createdAt: new Date().toISOString(),
    parentId: 4, siblings: { index: 0, count: 1, ids: [5] },
  })
  const question: NeptunUIMessage = { id: 'q', role: 'user', parts: [{ type: 'text', text: 'Why blue?' }] }

  it('comes back from storage first, done, with its time and the answer\'s model and cost', () => {
    expect(stored.parts).toEqual([{ type: 'reasoning', text: 'Light scatters.', state: 'done' }, { type: 'text', text: 'Blue.' }])
    expect(stored.metadata).toMatchObject({ dbId: 5, model: 'deepseek-r1-distill-qwen-32b', reasoningMs: 1500, usage: { neurons: 9.33, costUsd: 0.0001 } })
  })

  it('is not sent back to the model', () => {
    expect(toChatRequestMessages([question, stored])).toEqual([{ role: 'user', content: 'Why blue?' }, { role: 'assistant', content: 'Blue.' }])
  })

  it('is exported: folded in Markdown, its own field in JSON', () => {
    const messages = exportedMessages([question, stored])
    expect(messages[1]).toEqual({ role: 'assistant', content: 'Blue.', reasoning: 'Light scatters.', model: 'deepseek-r1-distill-qwen-32b', usage: { promptTokens: 10, completionTokens: 20, neurons: 9.33, costUsd: 0.0001 } })
    const markdown = chatToMarkdown({ title: 'Sky', messages }, { user: 'You', assistant: 'Assistant', thinking: 'Thinking' })
    expect(markdown).toContain('### Assistant (deepseek-r1-distill-qwen-32b)\n\n<details>\n<summary>Thinking</summary>\n\nLight scatters.\n\n</details>\n\nBlue.')
  })

  it('is copied apart from the answer', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: stored, status: 'complete', canRegenerate: true, canEdit: true })
    await wrapper.find('[data-testid="reasoning-toggle"]').trigger('click')
    await nextTick()
    expect(wrapper.find('[data-testid="reasoning-copy"]').exists()).toBe(true)
  })
})
