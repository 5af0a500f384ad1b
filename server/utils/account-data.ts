import { asc, eq, inArray, sql } from 'drizzle-orm'
import type { H3Event } from 'h3'
import { ERRORS, isFreshSignIn, TEAM_ERRORS } from '#shared/contract'
import type { SignedIn } from './auth.ts'

const { users, chats, messages, shares, messageFeedback, dailyUsage } = tables

/**
 * Everything stored about the user, as one JSON document ("Export all my data"): the account,
 * settings, chats with every message (all versions), API keys without their secrets, shares,
 * feedback and usage.
 *
 * @example const data = await exportAccountData(user.id)
 */
export async function exportAccountData(userId: number) {
  const db = await useDb()
  const [account] = await db.select({ id: users.id, email: users.email, createdAt: users.createdAt, lastModel: users.lastModel, isAdmin: users.isAdmin })
    .from(users).where(eq(users.id, userId))
  const chatRows = await db.select().from(chats).where(eq(chats.userId, userId)).orderBy(asc(chats.id))
  const chatIds = chatRows.map(chat => chat.id)
  const messageRows = chatIds.length
    ? await db.select({
        id: messages.id, chatId: messages.chatId, parentId: messages.parentId, role: messages.role, content: messages.content,
        status: messages.status, active: messages.active, model: messages.model, reasoning: messages.reasoning,
        promptTokens: messages.promptTokens, completionTokens: messages.completionTokens, neurons: messages.neurons,
        costUsd: messages.costUsd, finishReason: messages.finishReason, createdAt: messages.createdAt,
      }).from(messages).where(inArray(messages.chatId, chatIds)).orderBy(asc(messages.id))
    : []
  const [settings, apiKeys, shareRows, feedback, usage] = await Promise.all([
    readUserSettings(userId),
    listApiKeys(userId),
    db.select().from(shares).where(eq(shares.userId, userId)).orderBy(asc(shares.createdAt)),
    db.select().from(messageFeedback).where(eq(messageFeedback.userId, userId)),
    db.select().from(dailyUsage).where(eq(dailyUsage.userId, userId)).orderBy(asc(dailyUsage.day), asc(dailyUsage.model)),
  ])
  return {
    exportedAt: new Date().toISOString(),
    account,
    settings,
    chats: chatRows.map(({ userId: _, ...chat }) => ({ ...chat, messages: messageRows.filter(message => message.chatId === chat.id) })),
    apiKeys,
    shares: shareRows.map(({ userId: _, ...share }) => share),
    feedback: feedback.map(({ userId: _, ...rating }) => rating),
    usage: usage.map(({ userId: _, ...day }) => day),
  }
}

/**
 * Deletes the signed-in user's own account and everything they own, after proving it is them:
 * their password, or for an account without one (passkeys, single sign-on) a sign-in within the
 * last TEAM_LIMITS.freshSignInMinutes. The only admin cannot leave other users without one.
 * Their cookie is cleared; any copy of it gets 401 (the user is gone).
 */
export async function deleteOwnAccount(event: H3Event, signedIn: SignedIn, password: string | undefined): Promise<void> {
  const { user } = signedIn
  const db = await useDb()
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, user.id))
  if (!row) throw apiError(401, ERRORS.unauthorized)
  if (row.passwordHash) {
    if (!password) throw apiError(400, TEAM_ERRORS.passwordRequired)
    const succeeded = await countPasswordAttempt(event, user.email.toLowerCase(), ERRORS.passwordThrottled)
    if (!await verifyPasswordOf(row.passwordHash, password)) throw apiError(401, ERRORS.invalidCredentials)
    await succeeded()
  }
  else if (!isFreshSignIn(signedIn.signedInAt)) {
    throw apiError(403, TEAM_ERRORS.signInAgain)
  }
  if (signedIn.admin && await otherUsersExist(user.id) && !await otherAdminExists(user.id)) throw apiError(409, TEAM_ERRORS.lastAdmin)
  await db.execute(sql`select delete_user(${user.id})`)
  await clearUserSession(event)
}

async function otherUsersExist(userId: number): Promise<boolean> {
  const [row] = await queryRows<{ found: boolean }>(await useDb(), sql`select exists (select 1 from users where id <> ${userId}) as found`)
  return row?.found === true
}
