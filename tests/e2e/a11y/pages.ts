// Every page (and page state) the accessibility suite checks, in every theme and language.
// A new page joins the check with one line here, e.g. `{ name: 'shares', path: '/shares', signedIn: true }`.
import type { Page } from 'playwright-core'
import { LIVE_MODELS } from '../../../shared/contract/models.ts'
import { apiUser, directive, readUiStream, type TestUser } from '../support.ts'

export interface A11yPage {
  name: string
  /** The path to open, or a function that prepares the user's data and returns it. */
  path: string | ((user: TestUser) => Promise<string>)
  /** Opened by a signed-in user (a fresh one per check). */
  signedIn?: boolean
  /** Waits for the page's own content, or brings it into the state to check (a dialog open). */
  ready?: (page: Page) => Promise<void>
}

export const A11Y_PAGES: A11yPage[] = [
  { name: 'login', path: '/login' },
  { name: 'sign-up', path: '/signup' },
  { name: 'login, a single sign-on that failed', path: '/login?sso_error=email_unverified', ready: page => page.getByTestId('sso-error').waitFor() },
  { name: 'chat, empty', path: '/', signedIn: true },
  { name: 'chat, long markdown answer', path: user => savedChat(user, LONG_MARKDOWN_ANSWER), signedIn: true, ready: highlighted },
  { name: 'playground', path: '/playground', signedIn: true },
  { name: 'page not found', path: '/no-such-page', signedIn: true },
  { name: 'chat not found', path: '/chat/2147483000', signedIn: true },
  { name: 'chat, error alert', path: '/', signedIn: true, ready: rateLimitedAnswer },
  { name: 'model picker open', path: '/', signedIn: true, ready: page => opened(page, 'model-picker', '[data-testid=model-panel]') },
  { name: 'shortcuts dialog', path: '/', signedIn: true, ready: shortcutsDialog },
  { name: 'rename dialog', path: user => savedChat(user, 'A short answer.'), signedIn: true, ready: renameDialog },
  { name: 'chat, thinking open, cost on hover', path: user => thoughtChat(user, 'short'), signedIn: true, ready: thinkingAndDetails },
  { name: 'chat, answer cut off while thinking', path: user => thoughtChat(user, 'cut off'), signedIn: true, ready: page => page.getByTestId('cut-off-notice').waitFor() },
  { name: 'usage', path: usedToday, signedIn: true, ready: page => page.getByTestId('usage-row').first().waitFor() },
  { name: 'settings, a key just created and one listed', path: '/settings', signedIn: true, ready: keyCreated },
  { name: 'settings, revoking a key', path: '/settings', signedIn: true, ready: revokeDialog },
  { name: 'shared chat, without an account', path: sharedChat, ready: highlighted },
  { name: 'share dialog, a link made', path: user => savedChat(user, 'A short answer.'), signedIn: true, ready: shareDialog },
  { name: 'sidebar search with snippets', path: user => savedChat(user, 'Streams send chunked bodies.'), signedIn: true, ready: searchResults },
]

/** An answer with what a model writes: headings, lists, emphasis, links, a quote, code (top-level and nested) and a table. */
export const LONG_MARKDOWN_ANSWER = [
  '# Streaming HTTP responses',
  '',
  'A server can send a response **piece by piece** instead of all at once. See [MDN on streams](https://developer.mozilla.org/docs/Web/API/Streams_API) for the details, and use `ReadableStream` in the browser.',
  '',
  '## How it works',
  '',
  '1. The client opens a request.',
  '2. The server answers with `Transfer-Encoding: chunked`:',
  '   ```http',
  '   HTTP/1.1 200 OK',
  '   Content-Type: text/event-stream',
  '   ```',
  '3. Each chunk is written as soon as it is ready.',
  '',
  '> Keep the hot path free of allocations: every chunk passes through it.',
  '',
  '```ts',
  'export async function relay(input: ReadableStream<Uint8Array>, write: (chunk: Uint8Array) => Promise<void>) {',
  '  const reader = input.getReader()',
  '  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {',
  '    await write(chunk.value) // a very long comment that makes this line overflow the column on a narrow screen',
  '  }',
  '}',
  '```',
  '',
  '## Compared',
  '',
  '| Transport | Direction | Reconnects | Typical use |',
  '| --- | --- | --- | --- |',
  '| Server-sent events | server → client | built in | token streams, notifications |',
  '| WebSocket | both ways | by hand | games, collaborative editing |',
  '| Long polling | server → client | by hand | old proxies |',
  '',
  '```python',
  'def chunks(text: str, size: int = 16):',
  '    for start in range(0, len(text), size):',
  '        yield text[start:start + size]',
  '```',
  '',
  'That is all: *small pieces, sent early*.',
].join('\n')

/** A saved chat with one question and `answer`; returns its path. */
export async function savedChat(user: TestUser, answer: string): Promise<string> {
  const res = await user.fetch('/api/chats', {
    method: 'POST',
    body: { title: 'Streaming HTTP', messages: [{ role: 'user', content: 'How does HTTP streaming work?' }, { role: 'assistant', content: answer }] },
  })
  if (res.status !== 201) throw new Error(`create chat failed: ${res.status}`)
  const chat = await res.json() as { id: number }
  return `/chat/${chat.id}`
}

/** From the new-chat page: a question Workers AI answers with 429, and its alert. */
async function rateLimitedAnswer(page: Page): Promise<void> {
  const input = page.getByTestId('composer-input')
  await input.fill(`Busy? ${directive('429')}`)
  await input.press('Enter')
  await page.getByTestId('retry-button').waitFor()
}

async function opened(page: Page, trigger: string, content: string): Promise<void> {
  await page.getByTestId(trigger).click()
  await page.locator(content).waitFor()
}

async function shortcutsDialog(page: Page): Promise<void> {
  await page.keyboard.press('Control+/')
  await page.getByTestId('shortcuts-list').waitFor()
}

async function renameDialog(page: Page): Promise<void> {
  await page.getByTestId('chat-item-menu').first().click()
  await page.getByRole('menuitem').first().click()
  await page.getByTestId('rename-input').waitFor()
}

/** A chat whose answer the model (the emulator) wrote: `answer`, stored with the model's name. Returns its path. */
export async function answeredChat(user: TestUser, answer: string): Promise<string> {
  const chat = await user.createChat('Streaming HTTP')
  const res = await user.chat(chat.id, [{ role: 'user', content: `How does HTTP streaming work? ${directive({ reply: answer, tokenDelayMs: 0 })}` }])
  if (res.status !== 200 || !(await readUiStream(res)).done) throw new Error(`the answer did not stream: ${res.status}`)
  return `/chat/${chat.id}`
}

/** Every top-level code block highlighted (Shiki's colours are what contrast is checked against). */
async function highlighted(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const blocks = [...document.querySelectorAll('[data-testid=code-block]')]
    return blocks.length > 0 && blocks.every(block => block.querySelector('.shiki'))
  })
}

/** A model that writes its thinking into its answer text, between `<think>` tags. */
const THINKER = LIVE_MODELS.find(model => model.capabilities.reasoning?.format === 'think-tags')!

/**
 * A chat a reasoning model answered: a short thought and answer, or thinking that used the whole
 * output budget (no answer, the cut-off notice). Returns its path.
 */
export async function thoughtChat(user: TestUser, kind: 'short' | 'cut off'): Promise<string> {
  const chat = await user.createChat('Why is the sky blue?')
  const behaviour = kind === 'short'
    ? { reasoningTokens: 40, tokens: 20, tokenDelayMs: 0 }
    : { reasoningTokens: THINKER.configuration.parameters.max_new_tokens + 10, tokensPerFrame: 1000, tokenDelayMs: 0 }
  const res = await user.chat(chat.id, [{ role: 'user', content: `Why is the sky blue? ${directive(behaviour)}` }], { model: THINKER.name })
  if (res.status !== 200 || !(await readUiStream(res)).done) throw new Error(`the answer did not stream: ${res.status}`)
  return `/chat/${chat.id}`
}

/** The thinking opened by its toggle, and the answer's model and cost shown (as on hover). */
async function thinkingAndDetails(page: Page): Promise<void> {
  const answer = page.locator('[data-testid=message][data-role=assistant]')
  await answer.getByTestId('reasoning-toggle').click()
  await answer.getByTestId('reasoning-text').waitFor()
  await answer.hover()
  await answer.getByTestId('message-meta').waitFor()
}

/** The usage page of a user who has had an answer today. */
async function usedToday(user: TestUser): Promise<string> {
  await answeredChat(user, 'A short answer.')
  return '/usage'
}

/** A key created on the settings page: shown once, and listed. */
async function keyCreated(page: Page): Promise<void> {
  await page.getByTestId('key-name-input').fill('laptop')
  await page.getByTestId('key-create').click()
  await page.getByTestId('key-created').waitFor()
  await page.getByTestId('key-row').first().waitFor()
}

async function revokeDialog(page: Page): Promise<void> {
  await keyCreated(page)
  await page.getByTestId('key-revoke').first().click()
  await page.getByTestId('key-revoke-confirm').waitFor()
}

/** A chat with a long markdown answer, shared by someone else: the public page's path. */
async function sharedChat(): Promise<string> {
  const owner = await apiUser()
  const chatPath = await savedChat(owner, LONG_MARKDOWN_ANSWER)
  const res = await owner.fetch(`/api/chats${chatPath.slice('/chat'.length)}/shares`, { method: 'POST' })
  if (res.status !== 201) throw new Error(`share failed: ${res.status}`)
  return new URL((await res.json() as { url: string }).url).pathname
}

async function shareDialog(page: Page): Promise<void> {
  await page.getByTestId('share-button').click()
  await page.getByTestId('share-create').click()
  await page.getByTestId('share-url').waitFor()
}

async function searchResults(page: Page): Promise<void> {
  await page.locator('[data-testid=chat-search] input, input[data-testid=chat-search]').first().fill('chunked')
  await page.getByTestId('search-snippet').first().waitFor()
}
