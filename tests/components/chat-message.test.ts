// @vitest-environment nuxt
import { describe, expect, it } from 'vitest'
import ChatMessage from '~/components/chat/ChatMessage.vue'
import { mountInApp } from './mount-in-app'
import type { NeptunUIMessage } from '~/utils/chat-messages'

function message(role: 'user' | 'assistant', text: string): NeptunUIMessage {
  return { id: `m-${role}`, role, parts: [{ type: 'text', text }] }
}

describe('ChatMessage', () => {
  it('offers copy and regenerate on the last answer', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: message('assistant', 'Hello **there**'), status: 'complete', canRegenerate: true, canEdit: true })
    const root = wrapper.find('[data-testid="message"]')
    expect(root.attributes('data-role')).toBe('assistant')
    expect(root.attributes('data-status')).toBe('complete')
    expect(wrapper.find('[data-testid="copy-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="regenerate-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="edit-button"]').exists()).toBe(false)
    expect(wrapper.find('strong').text()).toBe('there')
  })

  it('offers copy and edit on a user message, shown as plain text', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: message('user', '**not markdown** <b>x</b>'), status: 'complete', canRegenerate: false, canEdit: true })
    expect(wrapper.find('[data-testid="edit-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="copy-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="regenerate-button"]').exists()).toBe(false)
    expect(wrapper.find('strong').exists()).toBe(false)
    expect(wrapper.find('b').exists()).toBe(false)
    expect(wrapper.text()).toContain('**not markdown** <b>x</b>')
  })

  it('hides actions while the answer streams', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: message('assistant', 'Partial'), status: 'streaming', canRegenerate: false, canEdit: false })
    expect(wrapper.find('[data-testid="message"]').attributes('data-status')).toBe('streaming')
    expect(wrapper.find('[data-testid="copy-button"]').exists()).toBe(false)
  })

  it.each([['aborted', 'Stopped'], ['error', 'Incomplete']] as const)('marks a %s answer with a badge and keeps its text', async (status, label) => {
    const wrapper = await mountInApp(ChatMessage, { message: message('assistant', 'Half an ans'), status, canRegenerate: true, canEdit: true })
    expect(wrapper.find('[data-testid="message-status-badge"]').text()).toBe(label)
    expect(wrapper.text()).toContain('Half an ans')
  })

  it('edits a user message and emits the new text', async () => {
    const wrapper = await mountInApp(ChatMessage, { message: message('user', 'old question'), status: 'complete', canRegenerate: false, canEdit: true })
    await wrapper.find('[data-testid="edit-button"]').trigger('click')
    await wrapper.find('textarea[data-testid="edit-input"]').setValue('new question')
    await wrapper.find('[data-testid="edit-submit"]').trigger('click')
    expect(wrapper.emitted('edit')).toEqual([['new question']])
  })
})
