// The generation against a fake upstream: every way an answer can end (complete, broken off,
// first-token and idle timeout, stopped, client gone, not stored at once or at all), checked
// exactly: the events, the UI-message frames they become, what is stored, and whether the
// upstream request is closed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ERRORS, type ChatStreamMetadata } from '#shared/contract'
import type { AnswerEvent, StartEvent } from '#server/answer/events'
import { CLIENT_GONE, openGeneration, STOPPED, type EndedAnswer, type Generation, type GenerationOptions } from '#server/answer/generation'
import { uiMessageStream } from '#server/answer/ui-message-stream'
import { WorkersAiHttpError, type AnswerPart } from '#server/workers-ai'

const FIRST_TOKEN_MS = 100
const IDLE_MS = 200
const START: ChatStreamMetadata = { generationId: 'g-1', userMessageId: 7 }
const START_EVENT: StartEvent = { type: 'start', metadata: START, messageId: 'db-8' }

/** One step of a fake upstream: a part, a pause, a failure, or silence until aborted. */
type Step = AnswerPart | { wait: number } | { fail: Error } | 'hang'

/**
 * A fake Workers AI adapter that plays `steps`. It records whether its request was closed
 * (the signal aborted) and whether its stream was ended (its `finally` ran).
 */
function fakeUpstream(steps: Step[], opening?: Error) {
  const seen = { closed: false, ended: false, started: false }
  const start: GenerationOptions['start'] = async (signal) => {
    seen.started = true
    signal.addEventListener('abort', () => { seen.closed = true }, { once: true })
    if (opening) throw opening
    return (async function* () {
      try {
        for (const step of steps) {
          // Like a real request, it fails at once when it was aborted while paused.
          if (signal.aborted) throw signal.reason
          if (step === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))
          else if ('wait' in step) await new Promise(resolve => setTimeout(resolve, step.wait))
          else if ('fail' in step) throw step.fail
          else yield step
        }
      }
      finally {
        seen.ended = true
      }
    })()
  }
  return { start, seen }
}

const delta = (text: string): AnswerPart => ({ type: 'text-delta', delta: text })
const finish = (truncated = false): AnswerPart => ({ type: 'finish', truncated, usage: { promptTokens: 11, completionTokens: 2 } })

/** A generation with a store that records what it was given and answers with the stored id. */
function generationOf(upstream: ReturnType<typeof fakeUpstream>, options: { store?: GenerationOptions['store'] } = {}) {
  const stop = new AbortController()
  const stored: EndedAnswer[] = []
  const opening = openGeneration({
    start: upstream.start,
    signal: stop.signal,
    firstTokenTimeoutMs: FIRST_TOKEN_MS,
    idleTimeoutMs: IDLE_MS,
    store: options.store ?? (async (answer) => {
      stored.push(answer)
      return { assistantMessageId: 8, status: answer.status, usage: answer.usage }
    }),
  })
  return { opening, stop, stored }
}

/** Runs the generation to its end; `onEvent` sees each event as it is emitted. */
async function readAll(generation: Generation, onEvent?: (event: AnswerEvent) => void): Promise<AnswerEvent[]> {
  const events: AnswerEvent[] = []
  await generation.run(START_EVENT, (event) => {
    events.push(event)
    onEvent?.(event)
  })
  return events
}

/** The UI-message frames the events become, parsed ('[DONE]' kept as a string). */
function framesOf(events: AnswerEvent[]): unknown[] {
  const encoding = uiMessageStream()
  return events.map(event => encoding.encode(event)).join('').split('\n\n').filter(Boolean)
    .map(block => block.slice('data: '.length))
    .map(data => (data === '[DONE]' ? data : JSON.parse(data)))
}

const opening = [
  { type: 'start', messageId: 'db-8', messageMetadata: START },
  { type: 'start-step' },
  { type: 'text-start', id: 'text-0' },
]

let warn: ReturnType<typeof vi.spyOn>
let error: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  error = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => vi.restoreAllMocks())

describe('a generation that completes', () => {
  it('relays every part, stores the whole answer with its usage, and finishes with the stored metadata', async () => {
    const upstream = fakeUpstream([delta('Hel'), delta('lo'), finish()])
    const { opening: open, stored } = generationOf(upstream)
    const events = await readAll(await open)
    expect(framesOf(events)).toEqual([
      ...opening,
      { type: 'text-delta', id: 'text-0', delta: 'Hel' },
      { type: 'text-delta', id: 'text-0', delta: 'lo' },
      { type: 'text-end', id: 'text-0' },
      { type: 'finish-step' },
      { type: 'finish', finishReason: 'stop', messageMetadata: { assistantMessageId: 8, status: 'complete', usage: { promptTokens: 11, completionTokens: 2 } } },
      '[DONE]',
    ])
    expect(stored).toEqual([{ content: 'Hello', status: 'complete', usage: { promptTokens: 11, completionTokens: 2 } }])
    // The request is not cut off (a REST connection goes back to the pool), but its stream is ended.
    expect(upstream.seen).toMatchObject({ closed: false, ended: true })
    expect(warn).not.toHaveBeenCalled()
  })

  it('passes each part on as it is, without copying it', async () => {
    const part = delta('same')
    const generation = await generationOf(fakeUpstream([part, finish()])).opening
    const events = await readAll(generation)
    expect(events[1]).toBe(part)
  })

  it('stores and finishes an empty answer', async () => {
    const { opening: open, stored } = generationOf(fakeUpstream([finish()]))
    const events = await readAll(await open)
    expect(events.map(event => event.type)).toEqual(['start', 'end'])
    expect(stored).toEqual([expect.objectContaining({ content: '', status: 'complete' })])
  })
})

describe('a generation that fails before its first token', () => {
  it('rejects with the HTTP error Workers AI\'s answer maps to, and stores nothing', async () => {
    const upstream = fakeUpstream([], new WorkersAiHttpError(429, '{"success":false,"errors":[{"code":3040}]}', { 'retry-after': '7' }))
    const { opening: open, stored } = generationOf(upstream)
    await expect(open).rejects.toMatchObject({ statusCode: 429, statusMessage: ERRORS.upstreamRateLimited, data: { headers: { 'retry-after': '7' } } })
    expect(stored).toEqual([])
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Workers AI failed before the first token: WorkersAiHttpError status 429 code 3040/))
  })

  it('rejects with 504 when no token comes within the first-token timeout, and closes the request', async () => {
    const upstream = fakeUpstream(['hang'])
    const started = performance.now()
    const { opening: open, stored } = generationOf(upstream)
    await expect(open).rejects.toMatchObject({ statusCode: 504, statusMessage: ERRORS.upstreamTimeout })
    expect(performance.now() - started).toBeGreaterThanOrEqual(FIRST_TOKEN_MS - 5)
    expect(upstream.seen.closed).toBe(true)
    expect(stored).toEqual([])
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/before the first token: first-token timeout/))
  })

  it('rejects with 499 and logs nothing when the client leaves first', async () => {
    const upstream = fakeUpstream(['hang'])
    const { opening: open, stop } = generationOf(upstream)
    setTimeout(() => stop.abort(CLIENT_GONE), 5)
    await expect(open).rejects.toMatchObject({ statusCode: 499 })
    expect(upstream.seen.closed).toBe(true)
    expect(warn).not.toHaveBeenCalled()
  })

  it('stopped first: opens all the same, then ends as stopped with an empty answer stored as aborted', async () => {
    const upstream = fakeUpstream(['hang'])
    const { opening: open, stop, stored } = generationOf(upstream)
    setTimeout(() => stop.abort(STOPPED), 5)
    const events = await readAll(await open)
    expect(events[0]).toEqual(START_EVENT)
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'aborted', error: undefined })
    expect(framesOf(events).slice(-2)).toEqual([{ type: 'abort', reason: 'stopped' }, '[DONE]'])
    expect(stored).toEqual([{ content: '', status: 'aborted' }])
    expect(upstream.seen.closed).toBe(true)
    expect(warn).not.toHaveBeenCalled()
  })

  it('closes the request and ends its stream when cancelled before its events are read', async () => {
    const upstream = fakeUpstream([delta('never read'), finish()])
    const { opening: open, stored } = generationOf(upstream)
    ;(await open).cancel()
    await vi.waitFor(() => expect(upstream.seen).toMatchObject({ closed: true, ended: true }))
    expect(stored).toEqual([])
  })
})

describe('a generation that goes wrong after its first token', () => {
  it('ends with the stored metadata and a broken-stream error when the stream ends without [DONE]', async () => {
    const { opening: open, stored } = generationOf(fakeUpstream([delta('half'), finish(true)]))
    const frames = framesOf(await readAll(await open))
    expect(frames.slice(3)).toEqual([
      { type: 'text-delta', id: 'text-0', delta: 'half' },
      { type: 'text-end', id: 'text-0' },
      { type: 'message-metadata', messageMetadata: { assistantMessageId: 8, status: 'error', usage: { promptTokens: 11, completionTokens: 2 } } },
      { type: 'error', errorText: ERRORS.upstreamBrokenStream },
    ])
    expect(stored).toEqual([{ content: 'half', status: 'error', usage: { promptTokens: 11, completionTokens: 2 } }])
  })

  it('ends with a broken-stream error, closes the request and logs the failure when the stream throws', async () => {
    const upstream = fakeUpstream([delta('par'), delta('tial'), { fail: new TypeError('socket hang up') }])
    const { opening: open, stored } = generationOf(upstream)
    const events = await readAll(await open)
    expect(events.at(-1)).toEqual({ type: 'end', status: 'error', error: ERRORS.upstreamBrokenStream, usage: undefined, metadata: { assistantMessageId: 8, status: 'error', usage: undefined } })
    expect(stored).toEqual([{ content: 'partial', status: 'error' }])
    expect(upstream.seen.closed).toBe(true)
    expect(warn).toHaveBeenCalledWith('[chat] Workers AI failed mid-stream: TypeError')
  })

  it('ends as broken when the stream stops without a finish part', async () => {
    const { opening: open, stored } = generationOf(fakeUpstream([delta('cut')]))
    const events = await readAll(await open)
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'error', error: ERRORS.upstreamBrokenStream })
    expect(stored).toEqual([{ content: 'cut', status: 'error' }])
  })

  it('ends with the idle error when tokens stop coming, and closes the request', async () => {
    const upstream = fakeUpstream([delta('a'), { wait: IDLE_MS / 4 }, delta('b'), 'hang'])
    const { opening: open, stored } = generationOf(upstream)
    const started = performance.now()
    const frames = framesOf(await readAll(await open))
    // The idle deadline restarts with every token: it runs out one idle period after 'b'.
    expect(performance.now() - started).toBeGreaterThanOrEqual(IDLE_MS * 1.25 - 5)
    expect(frames.at(-1)).toEqual({ type: 'error', errorText: ERRORS.upstreamIdle })
    expect(stored).toEqual([{ content: 'ab', status: 'error' }])
    expect(upstream.seen.closed).toBe(true)
    expect(warn).toHaveBeenCalledWith('[chat] Workers AI failed mid-stream: idle timeout')
  })
})

describe('a generation that is stopped or loses its client', () => {
  it('stopped: ends with the stored metadata, an abort frame and [DONE], and stores what was sent as aborted', async () => {
    const upstream = fakeUpstream([delta('so '), delta('far'), 'hang'])
    const { opening: open, stop, stored } = generationOf(upstream)
    const events = await readAll(await open, (event) => {
      if (event.type === 'text-delta' && event.delta === 'far') stop.abort(STOPPED)
    })
    expect(framesOf(events).slice(5)).toEqual([
      { type: 'text-end', id: 'text-0' },
      { type: 'message-metadata', messageMetadata: { assistantMessageId: 8, status: 'aborted', usage: undefined } },
      { type: 'abort', reason: 'stopped' },
      '[DONE]',
    ])
    expect(stored).toEqual([{ content: 'so far', status: 'aborted' }])
    expect(upstream.seen.closed).toBe(true)
    expect(warn).not.toHaveBeenCalled()
  })

  it('client gone (the playground): stores what was generated as aborted and closes the request', async () => {
    const upstream = fakeUpstream([delta('one '), { wait: 20 }, delta('two '), 'hang'])
    const { opening: open, stop, stored } = generationOf(upstream)
    const events = await readAll(await open, (event) => {
      if (event.type === 'text-delta' && event.delta === 'one ') stop.abort(CLIENT_GONE)
    })
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'aborted' })
    expect(stored).toEqual([{ content: 'one ', status: 'aborted' }])
    expect(upstream.seen).toMatchObject({ closed: true, ended: true })
  })

  it('nobody reading does not stop it: it runs to its end and is stored complete', async () => {
    const generation = await generationOf(fakeUpstream([delta('x'), { wait: 20 }, delta('y'), finish()])).opening
    const events: AnswerEvent[] = []
    await generation.run(START_EVENT, event => events.push(event))
    expect(generation.soFar.content).toBe('xy')
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'complete' })
  })
})

describe('an answer that cannot be stored', () => {
  const failing = async () => {
    throw new Error('database gone')
  }

  it('ends with answerNotSaved instead of a finish, so the client never believes it is saved', async () => {
    const { opening: open } = generationOf(fakeUpstream([delta('ok'), finish()]), { store: failing })
    const frames = framesOf(await readAll(await open))
    expect(frames.slice(-2)).toEqual([{ type: 'text-end', id: 'text-0' }, { type: 'error', errorText: ERRORS.answerNotSaved }])
    expect(frames).not.toContainEqual(expect.objectContaining({ type: 'finish' }))
    // Why, for the operator: the error and its cause (describeErrorForLog withholds a query's values).
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^\[chat\] could not store the answer: Error: database gone\n/))
  })

  it('says the answer is pending while storing waits for the database, then finishes once stored', async () => {
    const { opening: open } = generationOf(fakeUpstream([delta('ok'), finish()]), {
      store: async (answer, pending) => {
        pending()
        return { assistantMessageId: 9, status: answer.status, usage: answer.usage }
      },
    })
    const frames = framesOf(await readAll(await open))
    expect(frames.slice(4)).toEqual([
      { type: 'message-metadata', messageMetadata: { status: 'complete', storage: 'pending' } },
      { type: 'text-end', id: 'text-0' },
      { type: 'finish-step' },
      { type: 'finish', finishReason: 'stop', messageMetadata: { assistantMessageId: 9, status: 'complete', usage: { promptTokens: 11, completionTokens: 2 } } },
      '[DONE]',
    ])
  })

  it('says so after a broken stream too', async () => {
    const { opening: open } = generationOf(fakeUpstream([delta('ok'), { fail: new Error('reset') }]), { store: failing })
    const events = await readAll(await open)
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'error', error: ERRORS.answerNotSaved })
  })
})
