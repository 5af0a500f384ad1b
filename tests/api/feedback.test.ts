// Feedback on answers: PUT /api/chats/:id/messages/:messageId/feedback {rating, comment?} sets or
// replaces it, DELETE clears it; only on answers of the user's own chats; GET /api/chats/:id
// shows it (what the export reads) and GET /api/usage counts it per model.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { DEFAULT_MODEL_NAME, ERRORS, LIMITS, SMALL_FAST_MODEL_NAME, type ChatWithMessages, type UsageReport } from '../../shared/contract/index.ts'
import { expectApiError, readUiStream, signUp, type TestUser } from '../support/api-client.ts'

const appUrl = inject('appUrl')

let user: TestUser
let other: TestUser

beforeAll(async () => {
  ;[user, other] = await Promise.all([signUp(appUrl), signUp(appUrl)])
})

async function getChat(chatId: number, who: TestUser = user): Promise<ChatWithMessages> {
  const res = await who.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

/** A chat with one answered question: its id, the question's and the answer's message ids. */
async function answered(who: TestUser = user, model = DEFAULT_MODEL_NAME) {
  const chat = await who.createChat('Rated')
  const res = await who.chat(chat.id, [{ role: 'user', content: 'Rate this answer' }], { model })
  expect((await readUiStream(res)).done).toBe(true)
  const [question, answer] = (await getChat(chat.id, who)).messages
  return { chatId: chat.id, questionId: question!.id, answerId: answer!.id }
}

const path = (chatId: number, messageId: number) => `/api/chats/${chatId}/messages/${messageId}/feedback`
const put = (chatId: number, messageId: number, body: unknown, who: TestUser = user) => who.fetch(path(chatId, messageId), { method: 'PUT', body })

describe('feedback on an answer', () => {
  it('is set, changed and cleared, and shown with the chat', async () => {
    const { chatId, questionId, answerId } = await answered()
    const set = await put(chatId, answerId, { rating: 'up' })
    expect(set.status).toBe(200)
    expect(await set.json()).toEqual({ rating: 'up', comment: null })
    let messages = (await getChat(chatId)).messages
    expect(messages.find(m => m.id === answerId)?.feedback).toEqual({ rating: 'up', comment: null })
    expect(messages.find(m => m.id === questionId)?.feedback).toBeUndefined()

    const changed = await put(chatId, answerId, { rating: 'down', comment: '  Wrong capital  ' })
    expect(await changed.json()).toEqual({ rating: 'down', comment: 'Wrong capital' })
    expect((await getChat(chatId)).messages.find(m => m.id === answerId)?.feedback).toEqual({ rating: 'down', comment: 'Wrong capital' })

    expect((await user.fetch(path(chatId, answerId), { method: 'DELETE' })).status).toBe(204)
    messages = (await getChat(chatId)).messages
    expect(messages.find(m => m.id === answerId)?.feedback).toBeNull()
    // Clearing what is not there is fine.
    expect((await user.fetch(path(chatId, answerId), { method: 'DELETE' })).status).toBe(204)
  })

  it('is refused on the user\'s own message (400), and nothing is stored', async () => {
    const { chatId, questionId } = await answered()
    await expectApiError(await put(chatId, questionId, { rating: 'up' }), 400, ERRORS.feedbackOnAnswersOnly)
    await expectApiError(await user.fetch(path(chatId, questionId), { method: 'DELETE' }), 400, ERRORS.feedbackOnAnswersOnly)
    expect((await getChat(chatId)).messages.find(m => m.id === questionId)?.feedback).toBeUndefined()
  })

  it.each<[string, unknown, string]>([
    ['no rating', {}, ERRORS.feedbackRatingInvalid],
    ['another rating', { rating: 'meh' }, ERRORS.feedbackRatingInvalid],
    ['a comment that is too long', { rating: 'down', comment: 'x'.repeat(LIMITS.maxFeedbackCommentChars + 1) }, ERRORS.feedbackCommentTooLong],
    ['a comment that is not a string', { rating: 'down', comment: 5 }, ERRORS.feedbackCommentTooLong],
    ['a NUL character', { rating: 'down', comment: 'a\u0000b' }, ERRORS.nulCharacter],
  ])('is refused with %s (400)', async (_, body, message) => {
    const { chatId, answerId } = await answered()
    await expectApiError(await put(chatId, answerId, body), 400, message)
    expect((await getChat(chatId)).messages.find(m => m.id === answerId)?.feedback).toBeNull()
  })

  it('takes a comment at the length limit', async () => {
    const { chatId, answerId } = await answered()
    const comment = 'ü'.repeat(LIMITS.maxFeedbackCommentChars)
    expect(await (await put(chatId, answerId, { rating: 'down', comment })).json()).toEqual({ rating: 'down', comment })
  })
})

describe('another user\'s ids', () => {
  it('answer 404 exactly as missing ones, and change nothing', async () => {
    const mine = await answered()
    const theirs = await answered(other)
    expect((await put(theirs.chatId, theirs.answerId, { rating: 'up', comment: 'theirs' }, other)).status).toBe(200)
    // Their chat and answer; my chat with their answer; a missing message in my chat.
    await expectApiError(await put(theirs.chatId, theirs.answerId, { rating: 'down' }), 404, ERRORS.chatNotFound)
    await expectApiError(await user.fetch(path(theirs.chatId, theirs.answerId), { method: 'DELETE' }), 404, ERRORS.chatNotFound)
    await expectApiError(await put(mine.chatId, theirs.answerId, { rating: 'down' }), 404, ERRORS.messageNotFound)
    await expectApiError(await user.fetch(path(mine.chatId, theirs.answerId), { method: 'DELETE' }), 404, ERRORS.messageNotFound)
    await expectApiError(await put(mine.chatId, LIMITS.maxChatId, { rating: 'down' }), 404, ERRORS.messageNotFound)
    await expectApiError(await put(LIMITS.maxChatId, mine.answerId, { rating: 'down' }), 404, ERRORS.chatNotFound)
    await expectApiError(await put(mine.chatId, 0, { rating: 'down' }), 404, ERRORS.chatNotFound)
    expect((await getChat(theirs.chatId, other)).messages.find(m => m.id === theirs.answerId)?.feedback).toEqual({ rating: 'up', comment: 'theirs' })
  })
})

describe('the usage page', () => {
  it('counts thumbs up and down per model that wrote the answers', async () => {
    const rater = await signUp(appUrl)
    const big = await Promise.all([answered(rater), answered(rater)])
    const small = await answered(rater, SMALL_FAST_MODEL_NAME)
    await put(big[0].chatId, big[0].answerId, { rating: 'up' }, rater)
    await put(big[1].chatId, big[1].answerId, { rating: 'down', comment: 'meh' }, rater)
    await put(small.chatId, small.answerId, { rating: 'up' }, rater)
    const report = await (await rater.fetch('/api/usage')).json() as UsageReport
    expect(report.feedback).toEqual([
      { model: DEFAULT_MODEL_NAME, up: 1, down: 1 },
      { model: SMALL_FAST_MODEL_NAME, up: 1, down: 0 },
    ].sort((a, b) => a.model.localeCompare(b.model)))
    // Deleting the chat takes its feedback with it.
    expect((await rater.fetch(`/api/chats/${small.chatId}`, { method: 'DELETE' })).status).toBe(204)
    expect((await (await rater.fetch('/api/usage')).json() as UsageReport).feedback).toEqual([{ model: DEFAULT_MODEL_NAME, up: 1, down: 1 }])
  })
})
