import { ERRORS } from '#shared/contract/errors'
import { IMAGE_LIMITS, LIMITS } from '#shared/contract/limits'
import { VISION_MODEL_NAMES } from '#shared/contract/models'
import { TEAM_ERRORS, TEAM_LIMITS } from '#shared/contract/team'

/** vue-i18n's `t`, as the helpers here need it (they stay plain functions, easy to test). */
export type Translate = (key: string, named?: Record<string, unknown>) => string

export type ErrorKey = keyof typeof ERRORS | keyof typeof TEAM_ERRORS

const KEY_OF_TEXT = new Map<string, ErrorKey>(Object.entries({ ...ERRORS, ...TEAM_ERRORS }).map(([key, text]) => [text, key as ErrorKey]))

/** The numbers the error texts name, for the translations' placeholders. */
export const ERROR_TEXT_PARAMS = {
  maxBodyBytes: LIMITS.maxBodyBytes,
  maxMessages: LIMITS.maxMessages,
  maxMessageChars: LIMITS.maxMessageChars,
  minPasswordLength: LIMITS.minPasswordLength,
  maxPasswordLength: LIMITS.maxPasswordLength,
  maxTitleChars: LIMITS.maxTitleChars,
  maxFeedbackCommentChars: LIMITS.maxFeedbackCommentChars,
  maxChatId: LIMITS.maxChatId,
  minChatId: -LIMITS.maxChatId - 1,
  maxApiKeyNameChars: LIMITS.maxApiKeyNameChars,
  maxSearchChars: LIMITS.maxSearchChars,
  maxInviteHours: TEAM_LIMITS.maxInviteHours,
  freshSignInMinutes: TEAM_LIMITS.freshSignInMinutes,
  maxImageBytes: IMAGE_LIMITS.maxImageBytes,
  maxImagesPerMessage: IMAGE_LIMITS.maxImagesPerMessage,
  maxImagesPerRequest: IMAGE_LIMITS.maxImagesPerRequest,
  maxChatBodyBytes: IMAGE_LIMITS.maxChatBodyBytes,
  visionModels: VISION_MODEL_NAMES.join(', '),
}

/** The ERRORS key of a statusMessage the API sends, or null for a text outside the catalogue. */
export function errorKey(statusMessage: string): ErrorKey | null {
  return KEY_OF_TEXT.get(statusMessage) ?? null
}

/**
 * A statusMessage from the API in the user's language. The texts on the wire never change
 * (clients match on them): only the UI translates them, by their key in ERRORS. A text outside
 * the catalogue (a field-level validation detail) becomes a general sentence with the status.
 *
 * @example errorText(t, 'Invalid model name', 400) // 'Ungültiger Modellname' in German
 */
export function errorText(t: Translate, statusMessage: string | undefined, statusCode?: number): string {
  const key = statusMessage ? errorKey(statusMessage) : null
  if (key) return t(`errors.${key}`, ERROR_TEXT_PARAMS)
  if (statusMessage?.startsWith('Invalid request')) return t('errors.invalidRequest')
  return statusCode ? t('errors.requestFailed', { status: statusCode }) : t('errors.unknown')
}

/**
 * The error of a `$fetch` call (ofetch's FetchError carries the JSON body) in the user's
 * language; no answer at all reads as a network failure.
 */
export function apiErrorText(t: Translate, error: unknown): string {
  const fetchError = error as { data?: { statusMessage?: unknown }, statusCode?: number, response?: unknown } | null
  const statusMessage = fetchError?.data?.statusMessage
  if (typeof statusMessage === 'string') return errorText(t, statusMessage, fetchError?.statusCode)
  if (fetchError && !fetchError.response && error instanceof Error) return t('errors.network')
  return errorText(t, undefined, fetchError?.statusCode)
}
