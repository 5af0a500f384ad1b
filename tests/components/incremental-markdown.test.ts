// @vitest-environment nuxt
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mountSuspended } from '@nuxt/test-utils/runtime'
import { nextTick } from 'vue'
import ChatMarkdown from '~/components/chat/ChatMarkdown.vue'
import { markdownRenderer } from '~/utils/markdown-render'
import { createBlockSplitter } from '~/utils/markdown-blocks'

afterEach(() => vi.restoreAllMocks())

describe('incremental markdown rendering', () => {
  it('re-renders only the growing last block while an answer streams', async () => {
    const render = vi.spyOn(markdownRenderer, 'render')
    const finished = '# Title\n\nFirst paragraph.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n'
    const wrapper = await mountSuspended(ChatMarkdown, { props: { text: `${finished}Streaming` } })
    expect(render).toHaveBeenCalledTimes(4)
    render.mockClear()

    for (const more of [' text', ' grows', ' token', ' by token.']) {
      await wrapper.setProps({ text: `${wrapper.props('text')}${more}` })
      await nextTick()
    }

    expect(render).toHaveBeenCalledTimes(4)
    expect(render.mock.calls.every(([source]) => source.startsWith('Streaming'))).toBe(true)
    expect(wrapper.text()).toContain('Streaming text grows token by token.')
  })

  it('renders a new block once when the previous one is finished', async () => {
    const render = vi.spyOn(markdownRenderer, 'render')
    const wrapper = await mountSuspended(ChatMarkdown, { props: { text: 'One.' } })
    await wrapper.setProps({ text: 'One.\n\nTwo' })
    await nextTick()
    await wrapper.setProps({ text: 'One.\n\nTwo.' })
    await nextTick()
    // 'One.' once at mount, 'One.\n' once as a finished block, then 'Two' and 'Two.'.
    expect(render.mock.calls.map(([source]) => source)).toEqual(['One.', 'One.\n', 'Two', 'Two.'])
  })
})

describe('createBlockSplitter', () => {
  it('cuts at blank lines and keeps top-level fences whole, blank lines included', () => {
    const blocks = createBlockSplitter()('Intro\n\n```js\nconst a = 1\n\nconst b = 2\n```\n\nOutro')
    expect(blocks.map(block => [block.kind, block.source])).toEqual([
      ['markdown', 'Intro\n'],
      ['code', 'const a = 1\n\nconst b = 2\n'],
      ['markdown', 'Outro'],
    ])
  })

  it('lets a fence interrupt a paragraph', () => {
    const blocks = createBlockSplitter()('Here it is:\n```sh\nls\n```\n')
    expect(blocks.map(block => block.kind)).toEqual(['markdown', 'code'])
    expect(blocks[1]).toMatchObject({ lang: 'sh', source: 'ls\n', closed: true })
  })

  it('keeps a fence nested in a list inside the list block', () => {
    const blocks = createBlockSplitter()('1. Step\n   ```\n   a\n\n   b\n   ```\n2. Next\n')
    expect(blocks).toHaveLength(1)
    expect(blocks[0]!.kind).toBe('markdown')
  })

  it('returns the same objects for finished blocks as the text grows', () => {
    const split = createBlockSplitter()
    const first = split('A\n\nB')
    const second = split('A\n\nBC')
    expect(second[0]).toBe(first[0])
    expect(second[1]!.source).toBe('BC')
  })

  it('starts over when the text is replaced rather than extended', () => {
    const split = createBlockSplitter()
    split('A\n\nB')
    expect(split('X').map(block => block.source)).toEqual(['X'])
  })
})
