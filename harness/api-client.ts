// Signing up and talking to the API as a user, for the tests and the benchmarks alike.
import { randomUUID } from 'node:crypto'
import { DEFAULT_MODEL_NAME, type ChatMessage, type ChatSummary } from '../shared/contract/index.ts'

export interface TestUser {
  id: number
  email: string
  password: string
  cookie: string
  /** fetch against the app with this user's cookie (JSON bodies are serialised). */
  fetch: (path: string, init?: Omit<RequestInit, 'body'> & { body?: unknown, json?: boolean }) => Promise<Response>
  createChat: (title?: string) => Promise<ChatSummary>
  chat: (chatId: number | string, messages: ChatMessage[], options?: { playground?: boolean, model?: string, signal?: AbortSignal }) => Promise<Response>
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}@example.test`
}

export function cookieFrom(res: Response): string {
  const header = res.headers.getSetCookie().find(c => c.startsWith('neptun-session='))
  if (!header) throw new Error(`no neptun-session cookie (status ${res.status})`)
  return header.split(';')[0]!
}

export function userFetch(appUrl: string, cookie: string): TestUser['fetch'] {
  return (path, init = {}) => {
    const { body, json = true, headers, ...rest } = init
    const isJson = body !== undefined && json && typeof body !== 'string'
    return fetch(`${appUrl}${path}`, {
      ...rest,
      headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers as Record<string, string> },
      body: body === undefined ? undefined : isJson ? JSON.stringify(body) : body as string,
    })
  }
}

/** Signs up a new user; `headers` go with the sign-up only (e.g. X-Forwarded-For behind a trusted proxy). */
export async function signUp(appUrl: string, email = uniqueEmail(), password = 'correct horse battery', headers: Record<string, string> = {}): Promise<TestUser> {
  const res = await fetch(`${appUrl}/api/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  })
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`)
  const { user } = await res.json() as { user: { id: number } }
  const cookie = cookieFrom(res)
  const doFetch = userFetch(appUrl, cookie)
  return {
    id: user.id,
    email,
    password,
    cookie,
    fetch: doFetch,
    async createChat(title) {
      const created = await doFetch('/api/chats', { method: 'POST', body: title ? { title } : {} })
      if (created.status !== 201) throw new Error(`create chat failed: ${created.status}`)
      return created.json() as Promise<ChatSummary>
    },
    chat(chatId, messages, options = {}) {
      const query = `chat_id=${chatId}${options.playground ? '&is_playground=true' : ''}`
      return doFetch(`/api/ai/cloudflare/${options.model ?? DEFAULT_MODEL_NAME}/chat?${query}`, { method: 'POST', body: { messages }, signal: options.signal })
    },
  }
}
