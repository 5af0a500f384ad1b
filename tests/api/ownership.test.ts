// Chats belong to their user: user B gets the same 404 on every route for user A's chat as
// for a chat that does not exist, and nothing of A's changes.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, LIMITS, type ChatWithMessages } from '../../shared/contract/index.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { chatPath, expectApiError, marker, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))

let alice: TestUser
let bob: TestUser
let aliceChat: ChatWithMessages
const bobMarker = marker('bob')

async function getChat(user: TestUser, id: number): Promise<ChatWithMessages> {
  const res = await user.fetch(`/api/chats/${id}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
  const chat = await alice.createChat('Alice\'s secrets')
  const res = await alice.chat(chat.id, [{ role: 'user', content: 'My secret question' }])
  expect((await readUiStream(res)).done).toBe(true)
  aliceChat = await getChat(alice, chat.id)
  expect(aliceChat.messages).toHaveLength(2)
})

/** Each route B tries on a chat id (and, for truncation, one of A's message ids). */
const routes: [string, (chatId: number) => Promise<Response>][] = [
  ['GET /api/chats/:id', id => bob.fetch(`/api/chats/${id}`)],
  ['PATCH /api/chats/:id', id => bob.fetch(`/api/chats/${id}`, { method: 'PATCH', body: { title: 'Hijacked' } })],
  ['DELETE /api/chats/:id', id => bob.fetch(`/api/chats/${id}`, { method: 'DELETE' })],
  ['DELETE /api/chats/:id/messages?from=', id => bob.fetch(`/api/chats/${id}/messages?from=${aliceChat.messages[0]!.id}`, { method: 'DELETE' })],
  ['PUT /api/chats/:id/messages/:messageId/feedback', id => bob.fetch(`/api/chats/${id}/messages/${aliceChat.messages[1]!.id}/feedback`, { method: 'PUT', body: { rating: 'down', comment: 'Hijacked' } })],
  ['DELETE /api/chats/:id/messages/:messageId/feedback', id => bob.fetch(`/api/chats/${id}/messages/${aliceChat.messages[1]!.id}/feedback`, { method: 'DELETE' })],
  ['POST /api/chats/:id/messages/:messageId/activate', id => bob.fetch(`/api/chats/${id}/messages/${aliceChat.messages[0]!.id}/activate`, { method: 'POST' })],
  ['POST the chat endpoint', id => bob.fetch(chatPath(`chat_id=${id}`), { method: 'POST', body: { messages: [{ role: 'user', content: `Injected ${bobMarker}` }] } })],
  ['POST the chat endpoint with is_playground=false', id => bob.fetch(chatPath(`chat_id=${id}&is_playground=false`), { method: 'POST', body: { messages: [{ role: 'user', content: `Injected ${bobMarker}` }] } })],
]

describe('user B on user A\'s chat', () => {
  it.each(routes)('answers 404 on %s, exactly as for a missing chat', async (_, call) => {
    const foreign = await expectApiError(await call(aliceChat.id), 404, ERRORS.chatNotFound)
    const missing = await expectApiError(await call(LIMITS.maxChatId), 404, ERRORS.chatNotFound)
    expect(foreign).toBe(missing)
  })

  it('has written nothing: A\'s chat keeps its title and messages', async () => {
    const after = await getChat(alice, aliceChat.id)
    expect(after).toEqual(aliceChat)
    expect((await (await alice.fetch('/api/chats')).json() as { id: number }[]).map(c => c.id)).toContain(aliceChat.id)
  })

  it('has not reached Workers AI, and B has no chats', async () => {
    expect((await emulator.requests()).some(r => JSON.stringify(r.body).includes(bobMarker))).toBe(false)
    expect(await (await bob.fetch('/api/chats')).json()).toEqual([])
  })

  it('cannot truncate A\'s messages from B\'s own chat either', async () => {
    const own = await bob.createChat()
    await expectApiError(await bob.fetch(`/api/chats/${own.id}/messages?from=${aliceChat.messages[0]!.id}`, { method: 'DELETE' }), 404, ERRORS.messageNotFound)
    expect(await getChat(alice, aliceChat.id)).toEqual(aliceChat)
  })

  it('still works for A afterwards', async () => {
    const res = await alice.fetch(`/api/chats/${aliceChat.id}`, { method: 'PATCH', body: { title: 'Renamed by Alice' } })
    expect(res.status).toBe(200)
    expect((await getChat(alice, aliceChat.id)).title).toBe('Renamed by Alice')
  })
})

describe('without a session', () => {
  it.each([
    ['GET /api/chats', () => fetch(`${appUrl}/api/chats`)],
    ['POST /api/chats', () => fetch(`${appUrl}/api/chats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })],
    ['GET /api/chats/:id', () => fetch(`${appUrl}/api/chats/${aliceChat.id}`)],
    ['PATCH /api/chats/:id', () => fetch(`${appUrl}/api/chats/${aliceChat.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' })],
    ['DELETE /api/chats/:id', () => fetch(`${appUrl}/api/chats/${aliceChat.id}`, { method: 'DELETE' })],
    ['DELETE /api/chats/:id/messages', () => fetch(`${appUrl}/api/chats/${aliceChat.id}/messages?from=${aliceChat.messages[0]!.id}`, { method: 'DELETE' })],
    ['GET /api/auth/me', () => fetch(`${appUrl}/api/auth/me`)],
  ])('answers 401 on %s', async (_, call) => {
    await expectApiError(await call(), 401, ERRORS.unauthorized)
  })
})
