// How an answer's final write meets a database that refuses it: a statement that lost a race
// (PostgreSQL's deadlock or serialization failure, rolled back whole) runs again at once; an
// outage is waited out; anything else fails the write, which the client is told.
import { beforeAll, describe, expect, it, vi } from 'vitest'

let store: typeof import('#server/utils/store-retry')

beforeAll(async () => {
  // Nitro's auto-imports, as the module finds them in the server.
  vi.stubGlobal('serverConfig', () => ({ storeRetryMs: 2000, storeRetryMaxBytes: 1_000_000 }))
  store = await import('#server/utils/store-retry')
})

/** An error as drizzle throws it: the driver's error, with its SQLSTATE, is the cause. */
function driverError(code: string) {
  return Object.assign(new Error('query failed'), { cause: Object.assign(new Error('driver'), { code }) })
}

/** A write that fails with `codes` in turn, then stores. */
function failingWith(...codes: string[]) {
  const write = vi.fn(async () => {
    const code = codes[write.mock.calls.length - 1]
    if (code) throw driverError(code)
    return { id: 1 }
  })
  return write
}

describe('storeWhileDatabaseAway', () => {
  it('stores an answer whose write was chosen as a deadlock\'s victim, without calling it pending', async () => {
    const write = failingWith('40P01', '40P01')
    const pending = vi.fn()
    await expect(store.storeWhileDatabaseAway(write, 100, pending)).resolves.toEqual({ id: 1 })
    expect(write).toHaveBeenCalledTimes(3)
    expect(pending).not.toHaveBeenCalled()
  })

  it('stores after a serialization failure too', async () => {
    const write = failingWith('40001')
    await expect(store.storeWhileDatabaseAway(write, 100, () => {})).resolves.toEqual({ id: 1 })
    expect(write).toHaveBeenCalledTimes(2)
  })

  it('gives up on a conflict that keeps coming back, with its error', async () => {
    const write = failingWith(...Array(10).fill('40P01'))
    await expect(store.storeWhileDatabaseAway(write, 100, () => {})).rejects.toMatchObject({ cause: { code: '40P01' } })
    expect(write).toHaveBeenCalledTimes(4)
  })

  it('fails at once on any other error (a constraint, a bug)', async () => {
    const write = failingWith('23505')
    await expect(store.storeWhileDatabaseAway(write, 100, () => {})).rejects.toMatchObject({ cause: { code: '23505' } })
    expect(write).toHaveBeenCalledTimes(1)
  })

  it('waits out an outage, telling the caller the answer is pending', async () => {
    const write = failingWith('ECONNREFUSED')
    const pending = vi.fn()
    await expect(store.storeWhileDatabaseAway(write, 100, pending)).resolves.toEqual({ id: 1 })
    expect(pending).toHaveBeenCalledOnce()
  })
})
