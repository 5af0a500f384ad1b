// Proves the Workers AI emulator speaks Cloudflare's wire format and that
// every injected fault behaves as documented. Real HTTP over loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createParser } from 'eventsource-parser'
import { startEmulator, type Emulator } from '../../emulator/server.ts'
import { emulatorControl } from '../../emulator/client.ts'
import { directive, parseDirective } from '../../emulator/behaviour.ts'
import { emulatedTitle, tokenize } from '../../emulator/tokens.ts'
import { TITLE_INSTRUCTIONS } from '../../shared/contract/titles.ts'
import type { Behaviour } from '../../emulator/types.ts'

const MODEL = '@cf/meta/llama-3.3-70b-instruct-fp8-fast'
let emu: Emulator

beforeAll(async () => { emu = await startEmulator() })
afterAll(async () => { await emu.close() })
beforeEach(() => emu.reset())

interface RunOpts { model?: string; account?: string; auth?: string | null; raw?: string; signal?: AbortSignal }

function run(body: unknown, o: RunOpts = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const auth = o.auth === undefined ? `Bearer ${emu.token}` : o.auth
  if (auth !== null) headers.authorization = auth
  const url = `${emu.url}/accounts/${o.account ?? emu.accountId}/ai/run/${o.model ?? MODEL}`
  return fetch(url, { method: 'POST', headers, body: o.raw ?? JSON.stringify(body), signal: o.signal })
}

const ask = (content: string, extra: Record<string, unknown> = {}) =>
  ({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }], stream: true, ...extra })

/** Read an SSE body into its `data:` payloads; a transport error is returned, not thrown. */
async function readSse(res: Response, limit = Infinity): Promise<{ data: string[]; error?: unknown }> {
  const data: string[] = []
  const parser = createParser({ onEvent: e => { data.push(e.data) } })
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  try {
    while (data.length < limit) {
      const { value, done } = await reader.read()
      if (done) break
      parser.feed(value)
    }
  } catch (error) {
    return { data, error }
  }
  return { data }
}

const tokenFrames = (data: string[]) =>
  data.filter(d => d !== '[DONE]').map(d => JSON.parse(d) as Record<string, unknown>).filter(f => !('usage' in f))

async function expectEnvelope(res: Response, status: number, code: number, message: RegExp) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/json')
  const body = await res.json()
  expect(body).toEqual({ result: null, success: false, errors: [{ code, message: expect.any(String) }], messages: [] })
  expect(body.errors[0].message).toMatch(message)
}

describe('streaming wire format', () => {
  it('streams token frames with padding, a usage frame and [DONE]', async () => {
    const res = await run(ask('What is Neptun chat?'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('content-length')).toBeNull()
    const { data } = await readSse(res)
    expect(data.at(-1)).toBe('[DONE]')
    const usage = JSON.parse(data.at(-2)!)
    expect(Object.keys(usage)).toEqual(['response', 'usage'])
    expect(usage.response).toBe('')
    const frames = tokenFrames(data)
    expect(frames).toHaveLength(40) // default reply length, one token per frame
    for (const f of frames) {
      expect(Object.keys(f)).toEqual(['response', 'tool_calls', 'p'])
      expect(f.tool_calls).toEqual([])
      expect(f.p).toMatch(/^[a-zA-Z]{0,20}$/)
    }
    const text = frames.map(f => f.response).join('')
    expect(text).toContain('What is Neptun chat?')
    const [rec] = emu.requests
    expect(rec).toMatchObject({ outcome: 'completed', tokensSent: 40, framesSent: 40, textSent: text, clientClosed: false })
    expect(rec.firstFrameAt).toBeGreaterThanOrEqual(rec.receivedAt)
    expect(usage.usage).toEqual({
      prompt_tokens: expect.any(Number), completion_tokens: 40, total_tokens: usage.usage.prompt_tokens + 40,
    })
  })

  it('is deterministic for the same input and honours max_tokens', async () => {
    const a = tokenFrames((await readSse(await run(ask('same', { max_tokens: 7 })))).data)
    const b = tokenFrames((await readSse(await run(ask('same', { max_tokens: 7 })))).data)
    expect(a).toHaveLength(7)
    expect(a.map(f => f.response)).toEqual(b.map(f => f.response))
    expect(a[0].response).not.toMatch(/^\s/) // first token has no leading space
  })

  it('groups tokens per frame and never exceeds max_tokens with an explicit reply', async () => {
    emu.enqueue({ reply: 'one two three four five six seven', tokensPerFrame: 3 })
    const frames = tokenFrames((await readSse(await run(ask('x', { max_tokens: 5 })))).data)
    expect(frames.map(f => f.response)).toEqual(['one two three', ' four five'])
  })

  it('accepts a percent-encoded model and answers non-streaming JSON', async () => {
    emu.enqueue({ reply: 'Hello **there**' })
    const res = await run(ask('hi', { stream: false }), { model: encodeURIComponent(MODEL) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      result: { response: 'Hello **there**', tool_calls: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: 2, total_tokens: expect.any(Number) } },
      success: true, errors: [], messages: [],
    })
    expect(emu.requests[0].model).toBe(MODEL)
  })

  it('tokenises so that joining tokens gives the text back', () => {
    for (const s of ['', ' lead', 'a  b\n\nc ', '```js\nx\n```\n'])
      expect(tokenize(s).join('')).toBe(s)
  })
})

describe('error envelopes', () => {
  it('auth and routing: 9106, 10000, 7003', async () => {
    await expectEnvelope(await run(ask('x'), { auth: null }), 400, 9106, /authentication/i)
    await expectEnvelope(await run(ask('x'), { auth: 'Bearer nope' }), 401, 10000, /^Authentication error$/)
    await expectEnvelope(await run(ask('x'), { account: 'someone-else' }), 404, 7003,
      /^Could not route to \/client\/v4\/accounts\/someone-else\/.*perhaps your object identifier is invalid\?$/)
  })

  it.each<[string, RunOpts | null, unknown]>([
    ['non-JSON', { raw: '{oops' }, null],
    ['no messages', null, { prompt: 'hi' }],
    ['bad role', null, { messages: [{ role: 'tool', content: 'x' }] }],
    ['non-string content', null, { messages: [{ role: 'user', content: 42 }] }],
    ['repetition_penalty', null, { ...ask('x'), repetition_penalty: 2.5 }],
    ['temperature', null, { ...ask('x'), temperature: 5.1 }],
    ['max_tokens zero', null, { ...ask('x'), max_tokens: 0 }],
    ['max_tokens fractional', null, { ...ask('x'), max_tokens: 1.5 }],
  ])('bad input (%s) → 400/5006', async (_name, opts, body) => {
    await expectEnvelope(await run(body, opts ?? {}), 400, 5006, /^Bad input: /)
  })

  it('unknown model 5007, deprecated model 5028, context window 5021', async () => {
    await expectEnvelope(await run(ask('x'), { model: '@cf/nope/model' }), 400, 5007, /No such model @cf\/nope\/model/)
    await expectEnvelope(await run(ask('x'), { model: '@cf/meta/llama-2-7b-chat-int8' }), 410, 5028, /deprecated/)
    // 95,000 chars ≈ 23,750 prompt tokens: fits with max_tokens 200, not with the default 256.
    const big = 'a'.repeat(95_000)
    await expectEnvelope(await run(ask(big)), 413, 5021, /context window/)
    expect((await run(ask(big, { max_tokens: 200, stream: false }))).status).toBe(200)
  })

  it('429 with Retry-After from a JSON directive and from the alias', async () => {
    const res = await run(ask('hello [[emulator:{"error":{"status":429,"code":3040,"retryAfter":7}}]]'))
    expect(res.headers.get('retry-after')).toBe('7')
    await expectEnvelope(res, 429, 3040, /Capacity/)
    const alias = await run(ask('hello [[emulator:429]]'))
    expect(alias.headers.get('retry-after')).toBe('5')
    await expectEnvelope(alias, 429, 3040, /Capacity/)
  })

  it('aliases 410, 500, 401 and a 200 carrying success:false', async () => {
    await expectEnvelope(await run(ask('[[emulator:410]]')), 410, 5028, /deprecated/)
    await expectEnvelope(await run(ask('[[emulator:500]]')), 500, 3043, /Internal/)
    await expectEnvelope(await run(ask('[[emulator:401]]')), 401, 10000, /Authentication/)
    emu.enqueue({ successFalseWith200: true, error: { status: 503, code: 3040 } })
    await expectEnvelope(await run(ask('x')), 200, 3040, /Capacity/)
  })
})

describe('choosing behaviours', () => {
  it('queue (FIFO, times) beats the directive, which beats the default', async () => {
    emu.enqueue({ reply: 'queued one' }, 2)
    emu.enqueue({ reply: 'queued two' })
    const say = async () => tokenFrames((await readSse(await run(ask('[[emulator:{"reply":"from ]] directive"}]]')))).data)
      .map(f => f.response).join('')
    expect([await say(), await say(), await say(), await say()])
      .toEqual(['queued one', 'queued one', 'queued two', 'from ]] directive'])
    expect(emu.requests.map(r => r.behaviourSource)).toEqual(['queue', 'queue', 'queue', 'directive'])
  })

  it('uses only the last user message and the default behaviour as fallback', async () => {
    const other = await startEmulator({ defaultBehaviour: { reply: 'default!' } })
    try {
      const body = { messages: [{ role: 'user', content: '[[emulator:500]]' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'again' }] }
      const res = await fetch(`${other.url}/accounts/${other.accountId}/ai/run/${MODEL}`, {
        method: 'POST', headers: { authorization: `Bearer ${other.token}` }, body: JSON.stringify(body),
      })
      expect((await res.json()).result.response).toBe('default!')
    } finally {
      await other.close()
    }
  })

  it('parses every alias', () => {
    expect(parseDirective('[[emulator:drop]]')).toEqual({ dropAfterTokens: 5 })
    expect(parseDirective('[[emulator:stall]]')).toEqual({ stall: 'before-first-token' })
    expect(parseDirective('[[emulator:stall-mid]]')).toEqual({ stall: 5 })
    expect(parseDirective('[[emulator:malformed]]')).toEqual({ malformedAfterTokens: 5 })
    expect(parseDirective('[[emulator:slow]]')).toEqual({ tokenDelayMs: 200 })
    expect(parseDirective('go [[emulator:long:300]]')).toEqual({ tokens: 300 })
    expect(parseDirective('[[emulator:xss]]')?.reply).toContain('<script>window.__xss=1</script>')
    expect(parseDirective('[[emulator:nonsense]]')).toBeNull()
  })

  it('long:N and xss aliases shape the reply', async () => {
    const long = tokenFrames((await readSse(await run(ask('[[emulator:long:100]]', { max_tokens: 1000 })))).data)
    expect(long).toHaveLength(100)
    const xss = tokenFrames((await readSse(await run(ask('[[emulator:xss]]')))).data).map(f => f.response).join('')
    expect(xss).toContain('<img src=x onerror="window.__xss=1">')
    expect(xss).toContain('[click](javascript:window.__xss=1)')
    expect(xss).toContain('```')
  })
})

describe('faults', () => {
  it('stall before first token: 200 + headers, then client abort is recorded promptly', async () => {
    const ac = new AbortController()
    const res = await run(ask('[[emulator:stall]]'), { signal: ac.signal })
    expect(res.status).toBe(200)
    await emu.waitFor(r => r.outcome === 'stalled', 1000)
    const abortedAt = Date.now()
    ac.abort()
    const rec = await emu.waitFor(r => r.clientClosed, 1000)
    expect(rec.tokensSent).toBe(0)
    expect(rec.outcome).toBe('stalled')
    expect(rec.clientClosedAt! - abortedAt).toBeLessThan(500)
    expect(rec.endedAt).toBeDefined()
  })

  it('stall mid-stream after 5 tokens', async () => {
    const ac = new AbortController()
    const res = await run(ask('[[emulator:stall-mid]]'), { signal: ac.signal })
    const { data } = await readSse(res, 5)
    expect(data).toHaveLength(5)
    await emu.waitFor(r => r.outcome === 'stalled', 1000)
    ac.abort()
    expect((await emu.waitFor(r => r.clientClosed, 1000)).tokensSent).toBe(5)
  })

  it('client abort during a paced stream → client-closed', async () => {
    const ac = new AbortController()
    emu.enqueue({ tokenDelayMs: 30 })
    await readSse(await run(ask('x'), { signal: ac.signal }), 2)
    ac.abort()
    const rec = await emu.waitFor(r => r.clientClosed, 1000)
    expect(rec.outcome).toBe('client-closed')
    expect(rec.tokensSent).toBeLessThan(40)
  })

  it('drop destroys the socket after 5 tokens, with no usage or [DONE]', async () => {
    const { data, error } = await readSse(await run(ask('[[emulator:drop]]')))
    expect(error).toBeDefined()
    expect(data).toHaveLength(5)
    expect(data).not.toContain('[DONE]')
    expect(emu.requests[0]).toMatchObject({ outcome: 'dropped', tokensSent: 5, clientClosed: false })
  })

  it('malformed frame after 5 tokens, then the stream continues to [DONE]', async () => {
    const { data } = await readSse(await run(ask('[[emulator:malformed]]', { max_tokens: 8 })))
    expect(data[5]).toBe('{not json')
    expect(data).toHaveLength(5 + 1 + 3 + 2)
    expect(data.at(-1)).toBe('[DONE]')
  })

  it('omitDone ends cleanly after the usage frame', async () => {
    emu.enqueue({ omitDone: true, tokens: 3 })
    const { data, error } = await readSse(await run(ask('x')))
    expect(error).toBeUndefined()
    expect(data).toHaveLength(4)
    expect(JSON.parse(data.at(-1)!).usage.completion_tokens).toBe(3)
  })

  it('refuse destroys the socket without a response', async () => {
    emu.enqueue({ refuse: true })
    await expect(run(ask('x'))).rejects.toThrow()
    expect(emu.requests[0].outcome).toBe('refused')
  })

  it('paces frames with firstTokenDelayMs and tokenDelayMs', async () => {
    emu.enqueue({ firstTokenDelayMs: 120, tokenDelayMs: 40, tokens: 3 })
    const t0 = Date.now()
    await readSse(await run(ask('x')))
    const rec = emu.requests[0]
    expect(rec.firstFrameAt! - t0).toBeGreaterThanOrEqual(100)
    expect(rec.endedAt! - rec.firstFrameAt!).toBeGreaterThanOrEqual(70)
  })
})

describe('control API and lifecycle', () => {
  it('drives the emulator over HTTP', async () => {
    const ctl = emulatorControl(emu.url)
    expect(await ctl.health()).toBe(true)
    const behaviour: Behaviour = { reply: 'remote control' }
    await ctl.enqueue(behaviour)
    const res = await run(ask('x', { stream: false }))
    expect((await res.json()).result.response).toBe('remote control')
    const rec = await ctl.waitForRequest(r => r.outcome === 'completed', 1000)
    expect(rec).toMatchObject({ behaviour, behaviourSource: 'queue', textSent: 'remote control' })
    await ctl.enqueue({ reply: 'never used' }, 3)
    await ctl.reset()
    expect(await ctl.requests()).toEqual([])
    expect(tokenFrames((await readSse(await run(ask('x')))).data)).toHaveLength(40)
  })

  it('close() does not hang on a stalled client', async () => {
    const other = await startEmulator({ defaultBehaviour: { stall: 'before-first-token' } })
    const res = await fetch(`${other.url}/accounts/${other.accountId}/ai/run/${MODEL}`, {
      method: 'POST', headers: { authorization: `Bearer ${other.token}` }, body: JSON.stringify(ask('x')),
    })
    expect(res.status).toBe(200)
    const t0 = Date.now()
    await other.close()
    expect(Date.now() - t0).toBeLessThan(1000)
    expect((await readSse(res)).error).toBeDefined()
  })
})

describe('title requests', () => {
  const SMALL = '@cf/meta/llama-3.2-3b-instruct'
  const titleOf = (question: string) => ({ messages: [{ role: 'system', content: TITLE_INSTRUCTIONS }, { role: 'user', content: question }], stream: true, max_tokens: 24 })
  const streamed = async (res: Response) => tokenFrames((await readSse(res)).data).map(f => f.response).join('')

  it('answer a deterministic title from the question, in Cloudflare\'s frames, leaving the queue alone', async () => {
    emu.enqueue({ reply: 'meant for the next answer' })
    const question = `How do the tides of the North Sea work ${directive({ reply: 'the answer\'s own reply' })}`
    expect(await streamed(await run(titleOf(question), { model: SMALL }))).toBe(emulatedTitle(question))
    expect(emulatedTitle(question)).toBe('"How do the tides of."')
    expect(emu.requests[0]!.behaviourSource).toBe('title')
    expect(await streamed(await run(ask('next')))).toBe('meant for the next answer')
  })

  it('follow a `title` behaviour in the question, which the answer itself ignores', async () => {
    const failing = `Anything ${directive({ title: { error: { status: 500, code: 3043 } } })}`
    expect((await run(titleOf(failing), { model: SMALL })).status).toBe(500)
    expect((await run(ask(failing))).status).toBe(200)
  })

  it('are only requests with the app\'s instructions first', async () => {
    const res = await run({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How do the tides work' }], stream: true })
    expect(await streamed(res)).not.toBe(emulatedTitle('How do the tides work'))
    expect(emu.requests[0]!.behaviourSource).not.toBe('title')
  })
})
