// What the browser sends as a turn's history, against what the server keeps of it: for every
// catalogue model, the server's fitting (its input budget, the model's context window) must find
// in the request everything it would keep of the whole chat, and the request must fit the body
// limit. Replay a run with HISTORY_SEED=<printed seed>.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHARS_PER_TOKEN, conversationTokenBudget, LIMITS, LIVE_MODELS, type ChatMessage } from '../../shared/contract/index.ts'
import { historyBudget, requestHistory } from '../../utils/chat-messages.ts'
import { fitContextWindow, inputBudget } from '../../server/utils/context-window.ts'

const SEED = Number(process.env.HISTORY_SEED) || Date.now() % 2 ** 31

const message = fc.record({
  role: fc.constantFrom('user' as const, 'assistant' as const),
  length: fc.integer({ min: 0, max: LIMITS.maxMessageChars }),
  char: fc.constantFrom('a', ' ', 'é', '€', '"', '\n', '\u0001'),
}).map(({ role, length, char }): ChatMessage => ({ role, content: char.repeat(length) }))

const conversation = fc.array(message, { minLength: 1, maxLength: 400, size: 'max' })

function bodyBytes(messages: ChatMessage[]): number {
  return new TextEncoder().encode(JSON.stringify({ messages })).length
}

describe(`a turn's history (seed ${SEED})`, () => {
  it.each(LIVE_MODELS.map(model => [model.name, model] as const))('%s: the budget is the catalogue\'s input budget, in characters', (name, model) => {
    const tokens = Math.min(model.configuration.parameters.truncate, model.limits.contextWindow - model.configuration.parameters.max_new_tokens)
    expect(conversationTokenBudget(model)).toBe(tokens)
    expect(historyBudget(name)).toBe(Math.min(tokens * CHARS_PER_TOKEN, LIMITS.maxBodyBytes))
  })

  it.each(LIVE_MODELS.map(model => [model.name, model] as const))('%s: the request holds all the server keeps of the chat, within the body limit', (name, model) => {
    console.log(`[request-history] ${name}: seed ${SEED} (replay with HISTORY_SEED=${SEED})`)
    const budget = inputBudget(model, model.configuration.parameters.max_new_tokens)
    fc.assert(fc.property(conversation, (chat) => {
      const sent = requestHistory(chat, historyBudget(name))
      expect(sent.length).toBeGreaterThan(0)
      expect(sent.length).toBeLessThanOrEqual(LIMITS.maxMessages)
      expect(sent.at(-1)).toBe(chat.at(-1))
      expect(chat.slice(chat.length - sent.length)).toEqual(sent)
      expect(bodyBytes(sent)).toBeLessThanOrEqual(LIMITS.maxBodyBytes)
      // What the server keeps of the whole chat is what it keeps of the request, unless the
      // request had to stop early at the body limit or the message count.
      const keptOfAll = fitContextWindow(chat, budget)
      const keptOfSent = fitContextWindow(sent, budget)
      const cutByRequest = sent.length === LIMITS.maxMessages || (sent.length < chat.length && bodyBytes(chat.slice(chat.length - sent.length - 1)) > LIMITS.maxBodyBytes - 64 * LIMITS.maxMessages)
      if (!cutByRequest) expect(keptOfSent).toEqual(keptOfAll)
    }), { seed: SEED, numRuns: 60 })
  })

  it('sends the whole chat when it is small, and drops only the oldest messages when it is not', () => {
    const small: ChatMessage[] = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }]
    expect(requestHistory(small, 11)).toEqual(small)
    expect(requestHistory(small, 10)).toEqual(small.slice(1))
    expect(requestHistory(small, 8)).toEqual(small.slice(2))
    expect(requestHistory(small, 0)).toEqual(small.slice(2))
  })
})
