// Pinning: PATCH /api/chats/:id {pinned} puts a chat first in GET /api/chats, whatever its last
// activity, without touching its title or activity; only the owner can.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ERRORS, LIMITS, type ChatSummary } from '../../shared/contract/index.ts'
import { expectApiError, readUiStream, signUp, sleep, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')

let user: TestUser
let other: TestUser

beforeAll(async () => {
  ;[user, other] = await Promise.all([signUp(appUrl), signUp(appUrl)])
})

async function listIds(who: TestUser = user): Promise<number[]> {
  const res = await who.fetch('/api/chats')
  expect(res.status).toBe(200)
  return (await res.json() as ChatSummary[]).map(chat => chat.id)
}

async function pin(id: number, pinned: boolean, who: TestUser = user): Promise<Response> {
  return who.fetch(`/api/chats/${id}`, { method: 'PATCH', body: { pinned } })
}

describe('a pinned chat', () => {
  it('comes first in the list, pinned ones by activity among themselves, and goes back when unpinned', async () => {
    const a = await user.createChat('A')
    await sleep(10)
    const b = await user.createChat('B')
    await sleep(10)
    const c = await user.createChat('C')
    expect(await listIds()).toEqual([c.id, b.id, a.id])

    const res = await pin(a.id, true)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: a.id, title: 'A', pinned: true, updatedAt: a.updatedAt })
    expect(await listIds()).toEqual([a.id, c.id, b.id])

    expect((await pin(b.id, true)).status).toBe(200)
    expect(await listIds()).toEqual([b.id, a.id, c.id])

    // A new message moves a chat up among the pinned ones, never above them from outside.
    const turn = await user.chat(c.id, [{ role: 'user', content: 'Hello' }])
    expect((await readUiStream(turn)).done).toBe(true)
    expect(await listIds()).toEqual([b.id, a.id, c.id])
    const again = await user.chat(a.id, [{ role: 'user', content: 'Hello' }])
    expect((await readUiStream(again)).done).toBe(true)
    expect(await listIds()).toEqual([a.id, b.id, c.id])

    expect((await pin(a.id, false)).status).toBe(200)
    expect(await listIds()).toEqual([b.id, a.id, c.id])
    const listed = await (await user.fetch('/api/chats')).json() as ChatSummary[]
    expect(listed.map(chat => chat.pinned)).toEqual([true, false, false])
  })

  it('keeps its title and where the title came from', async () => {
    const chat = await user.createChat()
    expect(await (await pin(chat.id, true)).json()).toMatchObject({ title: chat.title, titleSource: 'fallback', pinned: true })
  })

  it.each([['a string', 'yes'], ['a number', 1], ['null', null]])('refuses %s as pinned (400)', async (_, pinned) => {
    const chat = await user.createChat()
    await expectApiError(await user.fetch(`/api/chats/${chat.id}`, { method: 'PATCH', body: { pinned } }), 400, ERRORS.pinnedInvalid)
  })

  it('is the owner\'s: another user gets 404 and pins nothing', async () => {
    const chat = await user.createChat('Mine')
    await expectApiError(await pin(chat.id, true, other), 404, ERRORS.chatNotFound)
    await expectApiError(await pin(LIMITS.maxChatId, true), 404, ERRORS.chatNotFound)
    const listed = await (await user.fetch('/api/chats')).json() as ChatSummary[]
    expect(listed.find(c => c.id === chat.id)?.pinned).toBe(false)
  })
})
