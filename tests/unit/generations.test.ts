// The per-instance count behind the cap on answers generating at once (chat-answer.ts refuses a
// turn with it before Workers AI is asked).
import { beforeAll, describe, expect, it, vi } from 'vitest'

let generations: typeof import('#server/utils/generations')

beforeAll(async () => {
  // Nitro's auto-imports, as the module finds them in the server: Node, no stop channel to listen on.
  vi.stubGlobal('ON_WORKERS', false)
  vi.stubGlobal('useDbConnection', async () => ({}))
  generations = await import('#server/utils/generations')
})

describe('generationsHere', () => {
  it('counts a chat once while its superseded answer stores its end beside the new one', async () => {
    const { registerGeneration, generationsHere } = generations
    const user = 7001
    const superseded = await registerGeneration(user, () => {}, 1)
    const successor = await registerGeneration(user, () => {}, 1)
    const other = await registerGeneration(user, () => {}, 2)
    expect(generationsHere(user, 3)).toBe(2)
    expect(generationsHere(user, 1)).toBe(1)
    superseded.done()
    expect(generationsHere(user, 3)).toBe(2)
    successor.done()
    expect(generationsHere(user, 3)).toBe(1)
    other.done()
    expect(generationsHere(user, 3)).toBe(0)
  })

  it('counts each playground answer, and no other user\'s', async () => {
    const { registerGeneration, generationsHere } = generations
    const user = 7002
    const first = await registerGeneration(user, () => {})
    const second = await registerGeneration(user, () => {})
    const someoneElse = await registerGeneration(7003, () => {}, 4)
    expect(generationsHere(user, 4)).toBe(2)
    expect(generationsHere(user)).toBe(2)
    for (const generation of [first, second, someoneElse]) generation.done()
    expect(generationsHere(user)).toBe(0)
  })
})
