// Deleting an account without a password needs a recent sign-in: the window's edges.
import { describe, expect, it } from 'vitest'
import { isFreshSignIn, TEAM_LIMITS } from '../../shared/contract/team.ts'

describe('isFreshSignIn', () => {
  const now = Date.UTC(2026, 0, 1, 12)
  const window = TEAM_LIMITS.freshSignInMinutes * 60_000

  it('accepts a sign-in within the window, up to its edge', () => {
    expect(isFreshSignIn(now, now)).toBe(true)
    expect(isFreshSignIn(now - window, now)).toBe(true)
  })

  it('refuses one older than the window, one from the future and a session without a sign-in time', () => {
    expect(isFreshSignIn(now - window - 1, now)).toBe(false)
    expect(isFreshSignIn(now + 1000, now)).toBe(false)
    expect(isFreshSignIn(undefined, now)).toBe(false)
  })
})
