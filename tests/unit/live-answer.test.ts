// The pieces that let an answer outlive its connection, without a database: the live answer and
// its readers, the checkpoint schedule, and a reader that follows an answer's row.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ERRORS } from '#shared/contract'
import { startCheckpoints } from '#server/answer/checkpoints'
import type { AnswerEvent, AnswerReader } from '#server/answer/events'
import { followAnswerRow, type AnswerRow } from '#server/answer/follow-row'
import { liveAnswer } from '#server/answer/live-answer'

const start: AnswerEvent = { type: 'start', metadata: { generationId: 'g' }, messageId: 'db-2' }
const delta = (text: string): AnswerEvent => ({ type: 'text-delta', delta: text })
const end: AnswerEvent = { type: 'end', status: 'complete', metadata: { assistantMessageId: 2, status: 'complete' } }

/** A live answer whose generation emits when told to. */
function controlled() {
  let emit!: (event: AnswerEvent) => void
  let finish!: () => void
  const answer = liveAnswer(async (emitter) => {
    emit = emitter
    await new Promise<void>((resolve) => {
      finish = resolve
    })
  })
  return { answer, emit: (event: AnswerEvent) => emit(event), finish: () => finish() }
}

/** Everything a reader takes, each time it is told there is more. */
function collect(reader: AnswerReader) {
  const taken: AnswerEvent[][] = []
  reader.onReady(() => taken.push(reader.take()))
  return taken
}

afterEach(() => {
  vi.useRealTimers()
})

describe('a live answer', () => {
  it('gives a reader that comes late everything from the start, then the rest as it happens', () => {
    const { answer, emit } = controlled()
    emit(start)
    emit(delta('Hel'))
    const late = answer.read()
    expect(late.take()).toEqual([start, delta('Hel')])
    const taken = collect(late)
    emit(delta('lo'))
    emit(end)
    expect(taken.flat()).toEqual([delta('lo'), end])
    expect(late.take()).toEqual([])
  })

  it('gives two readers the same events, and one that leaves changes nothing for the other', () => {
    const { answer, emit } = controlled()
    const a = answer.read()
    const b = answer.read()
    expect(answer.readers).toBe(2)
    emit(start)
    emit(delta('x'))
    a.close()
    expect(answer.readers).toBe(1)
    emit(delta('y'))
    emit(end)
    expect(b.take()).toEqual([start, delta('x'), delta('y'), end])
  })

  it('keeps one list of events for all its readers: a reader that does not take holds no copy', () => {
    const { answer, emit } = controlled()
    const slow = answer.read()
    const event = delta('shared')
    emit(event)
    expect(slow.take()[0]).toBe(event)
  })

  it('ends when its generation has run, read or not', async () => {
    const { answer, emit, finish } = controlled()
    emit(start)
    emit(end)
    finish()
    await expect(answer.ended).resolves.toBeUndefined()
    expect(answer.read().take()).toEqual([start, end])
  })
})

describe('checkpoints', () => {
  it('write at most once per interval, only when the text grew, then a heartbeat when idle', async () => {
    vi.useFakeTimers()
    let content = ''
    const writes: string[] = []
    const checkpoints = startCheckpoints({
      progress: () => ({ content, reasoning: '' }),
      write: async (progress) => {
        writes.push(progress.content)
        return 'written'
      },
      onEnded: () => {},
      intervalMs: 1000,
      heartbeatMs: 3000,
    })
    content = 'a'
    await vi.advanceTimersByTimeAsync(300)
    content = 'ab'
    await vi.advanceTimersByTimeAsync(700)
    expect(writes).toEqual(['ab'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(writes).toEqual(['ab'])
    content = 'abc'
    await vi.advanceTimersByTimeAsync(1000)
    expect(writes).toEqual(['ab', 'abc'])
    await vi.advanceTimersByTimeAsync(3000)
    expect(writes).toEqual(['ab', 'abc', 'abc'])
    await checkpoints.stop()
    content = 'abcd'
    await vi.advanceTimersByTimeAsync(5000)
    expect(writes).toHaveLength(3)
  })

  it('never write two at once, skip a failed write, and let stop wait for the one in flight', async () => {
    vi.useFakeTimers()
    let content = 'x'
    let release!: () => void
    let calls = 0
    const checkpoints = startCheckpoints({
      progress: () => ({ content, reasoning: '' }),
      write: async () => {
        calls++
        if (calls === 1) throw new Error('database away')
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return 'written'
      },
      onEnded: () => {},
      intervalMs: 100,
      heartbeatMs: 10_000,
    })
    content = 'xy'
    await vi.advanceTimersByTimeAsync(100)
    expect(calls).toBe(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(calls).toBe(2)
    content = 'xyz'
    await vi.advanceTimersByTimeAsync(500)
    expect(calls).toBe(2)
    let stopped = false
    const stopping = checkpoints.stop().then(() => { stopped = true })
    await vi.advanceTimersByTimeAsync(0)
    expect(stopped).toBe(false)
    release()
    await stopping
    expect(stopped).toBe(true)
  })

  it('stop the generation when the row takes no more', async () => {
    vi.useFakeTimers()
    const onEnded = vi.fn()
    let content = ''
    startCheckpoints({ progress: () => ({ content, reasoning: '' }), write: async () => 'ended', onEnded, intervalMs: 100, heartbeatMs: 10_000 })
    content = 'a'
    await vi.advanceTimersByTimeAsync(100)
    content = 'ab'
    await vi.advanceTimersByTimeAsync(500)
    expect(onEnded).toHaveBeenCalledTimes(1)
  })

  it('write a reasoning model\'s thinking while it thinks, before any text, and what it has at each write', async () => {
    vi.useFakeTimers()
    const progress = { content: '', reasoning: '' }
    const writes: { content: string, reasoning: string }[] = []
    const checkpoints = startCheckpoints({
      progress: () => progress,
      write: async (written) => {
        writes.push(written)
        return 'written'
      },
      onEnded: () => {},
      intervalMs: 1000,
      heartbeatMs: 60_000,
    })
    progress.reasoning = 'Two and'
    await vi.advanceTimersByTimeAsync(1000)
    progress.reasoning = 'Two and two.'
    progress.content = 'Fo'
    await vi.advanceTimersByTimeAsync(1000)
    progress.content = 'Four.'
    await vi.advanceTimersByTimeAsync(1000)
    await vi.advanceTimersByTimeAsync(1000)
    expect(writes).toEqual([
      { content: '', reasoning: 'Two and' },
      { content: 'Fo', reasoning: 'Two and two.' },
      { content: 'Four.', reasoning: 'Two and two.' },
    ])
    await checkpoints.stop()
  })
})

describe('following an answer\'s row', () => {
  function rows(...states: (AnswerRow | undefined | Error)[]) {
    let at = 0
    return async () => {
      const state = states[Math.min(at++, states.length - 1)]
      if (state instanceof Error) throw state
      return state
    }
  }
  const row = (content: string, status: AnswerRow['status'] = 'streaming', extra: Partial<AnswerRow> = {}): AnswerRow => ({ id: 2, content, reasoning: '', status, ...extra })

  it('sends the checkpointed text, then what the row gained, then the same end as the generation', async () => {
    vi.useFakeTimers()
    const onEnd = vi.fn()
    const reader = followAnswerRow({
      start,
      first: row('Hel'),
      read: rows(row('Hel'), row('Hello, wor'), row('Hello, world', 'complete', { usage: { promptTokens: 5, completionTokens: 3 } })),
      intervalMs: 300,
      giveUpMs: 10_000,
      onEnd,
    })
    expect(reader.take()).toEqual([start, delta('Hel')])
    await vi.advanceTimersByTimeAsync(900)
    expect(reader.take()).toEqual([
      delta('lo, wor'),
      delta('ld'),
      { type: 'end', status: 'complete', usage: { promptTokens: 5, completionTokens: 3 }, metadata: { assistantMessageId: 2, status: 'complete', usage: { promptTokens: 5, completionTokens: 3 } }, error: undefined },
    ])
    expect(onEnd).toHaveBeenCalledTimes(1)
  })

  it('replays a reasoning model\'s thinking before its text, and ends with the stored answer\'s own metadata', async () => {
    vi.useFakeTimers()
    const metadata = { assistantMessageId: 2, status: 'complete' as const, usage: { promptTokens: 5, completionTokens: 9, neurons: 1.5, costUsd: 0.0000165 }, reasoningMs: 420, finishReason: 'length' as const }
    const reader = followAnswerRow({
      start,
      first: row('', 'streaming', { reasoning: 'Two' }),
      read: rows(
        row('', 'streaming', { reasoning: 'Two and two' }),
        row('Fo', 'streaming', { reasoning: 'Two and two.' }),
        row('Four', 'complete', { reasoning: 'Two and two.', finishReason: 'length', metadata }),
      ),
      intervalMs: 300,
      giveUpMs: 10_000,
    })
    expect(reader.take()).toEqual([start, { type: 'reasoning-delta', delta: 'Two' }])
    await vi.advanceTimersByTimeAsync(900)
    const events = reader.take()
    expect(events.slice(0, -1)).toEqual([
      { type: 'reasoning-delta', delta: ' and two' },
      { type: 'reasoning-delta', delta: '.' },
      delta('Fo'),
      delta('ur'),
    ])
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'complete', finishReason: 'length', metadata })
  })

  it('says the answer was interrupted when its generation died, and gives up on a database that stays away', async () => {
    vi.useFakeTimers()
    const interrupted = followAnswerRow({ start, first: row('par'), read: rows(row('part', 'error', { interrupted: true })), intervalMs: 100, giveUpMs: 1000 })
    await vi.advanceTimersByTimeAsync(100)
    expect(interrupted.take().at(-1)).toMatchObject({ type: 'end', status: 'error', error: ERRORS.answerInterrupted })

    const away = followAnswerRow({ start, first: row('a'), read: rows(new Error('connection refused')), intervalMs: 100, giveUpMs: 1000 })
    away.take()
    await vi.advanceTimersByTimeAsync(500)
    expect(away.take()).toEqual([])
    await vi.advanceTimersByTimeAsync(700)
    expect(away.take()).toEqual([{ type: 'end', status: 'error', error: ERRORS.databaseUnavailable }])
  })

  it('stops reading once closed', async () => {
    vi.useFakeTimers()
    const read = vi.fn(rows(row('a')))
    const reader = followAnswerRow({ start, first: row('a'), read, intervalMs: 100, giveUpMs: 1000 })
    await vi.advanceTimersByTimeAsync(250)
    reader.close()
    const calls = read.mock.calls.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(read.mock.calls.length).toBe(calls)
  })
})
