import { IMAGE_LIMITS, LIMITS } from './limits.ts'
import { VISION_MODEL_NAMES } from './models.ts'

/**
 * Every statusMessage the API sends. They go on the HTTP status line too, so they are plain
 * ASCII; clients and tests match on them.
 */
export const ERRORS = {
  unauthorized: 'Unauthorized',
  invalidModel: 'Invalid model name',
  serviceRetired: 'Service not available anymore.',
  chatIdMissing: 'Missing query parameter chat_id',
  chatIdNotInteger: 'Query parameter chat_id must be an integer',
  chatIdOutOfRange: `Query parameter chat_id must be between -${LIMITS.maxChatId + 1} and ${LIMITS.maxChatId}`,
  isPlaygroundInvalid: 'Query parameter is_playground must be true or false',
  bodyNotJson: 'Request body must be JSON',
  bodyTooLarge: `Request body too large: at most ${LIMITS.maxBodyBytes} bytes`,
  messagesMissing: 'Request body must be {"messages": [...]}',
  messagesEmpty: 'messages must not be empty',
  tooManyMessages: `Too many messages: at most ${LIMITS.maxMessages}`,
  messageTooLong: `Message too long: at most ${LIMITS.maxMessageChars} characters`,
  lastMessageNotUser: 'The last message must be from the user',
  lastMessageEmpty: 'The last message must not be empty',
  nulCharacter: 'Text must not contain NUL characters',
  chatNotFound: 'Chat not found',
  messageNotFound: 'Message not found',
  generationNotFound: 'Generation not found',
  notConfigured: 'Workers AI is not configured: set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN',
  upstreamRateLimited: 'Workers AI is busy or rate-limited, try again later',
  upstreamRejected: 'Workers AI rejected the request credentials',
  upstreamFailed: 'Workers AI failed to answer',
  upstreamTimeout: 'Workers AI did not answer in time',
  upstreamIdle: 'Workers AI stopped sending tokens',
  upstreamBrokenStream: 'Workers AI stream broke off',
  contextTooLong: 'Conversation too long for the model context window',
  chatRateLimited: 'Too many chat requests, try again later',
  dailyNeuronLimit: 'Daily usage limit reached, try again after midnight UTC',
  apiRateLimited: 'Too many requests, try again later',
  chatCreateRateLimited: 'Too many new chats, try again later',
  tooManyChats: 'Chat limit reached: delete chats to start new ones',
  storageQuotaReached: 'Storage quota reached: delete chats to free space',
  tooManyAnswers: 'Too many answers generating at once, wait for one to finish or stop it',
  answerInterrupted: 'The answer was interrupted: the server generating it stopped',
  answerNotSaved: 'The answer could not be saved',
  databaseUnavailable: 'Database unavailable, try again shortly',
  invalidCredentials: 'Invalid email or password',
  loginThrottled: 'Too many failed log-ins, try again later',
  passwordThrottled: 'Too many failed password attempts, try again later',
  signUpThrottled: 'Too many sign-ups, try again later',
  unsupportedMediaType: 'Content-Type must be application/json',
  emailTaken: 'Email already registered',
  invalidEmail: 'Invalid email address',
  passwordTooShort: `Password must be at least ${LIMITS.minPasswordLength} characters`,
  passwordTooLong: `Password must be at most ${LIMITS.maxPasswordLength} characters`,
  titleInvalid: `Title must be 1 to ${LIMITS.maxTitleChars} characters`,
  pinnedInvalid: 'pinned must be true or false',
  feedbackRatingInvalid: 'Rating must be up or down',
  feedbackCommentTooLong: `Comment must be at most ${LIMITS.maxFeedbackCommentChars} characters`,
  feedbackOnAnswersOnly: 'Feedback is for answers only',
  invalidId: 'Invalid id',
  invalidLocale: 'Unknown locale',
  apiKeyNameInvalid: `API key name must be 1 to ${LIMITS.maxApiKeyNameChars} characters`,
  tooManyApiKeys: 'API key limit reached: revoke keys to create new ones',
  apiKeyNotFound: 'API key not found',
  apiKeyRequired: 'An API key is required: Authorization: Bearer nk_...',
  chatIdHeaderInvalid: 'Header X-Neptun-Chat-Id must be a chat id',
  shareNotFound: 'Share not found',
  searchInvalid: `Search must be text of at most ${LIMITS.maxSearchChars} characters`,
  crossSiteRequest: 'Cross-site request refused',
  notFound: 'Not Found',
  imageModelCannotSee: `This model cannot see images: use one of ${VISION_MODEL_NAMES.join(', ')}`,
  imageTypeUnsupported: 'Unsupported image type: PNG, JPEG, WebP or GIF only (SVG is refused)',
  imageTooLarge: `Image too large: at most ${IMAGE_LIMITS.maxImageBytes} bytes`,
  imagesTooMany: `Too many images: at most ${IMAGE_LIMITS.maxImagesPerMessage} per message and ${IMAGE_LIMITS.maxImagesPerRequest} per request`,
  imageInvalid: 'Invalid image: a file part needs a base64 data: URL or the URL of one of this chat\'s images',
  imageNotFound: 'Image not found',
  chatBodyTooLarge: `Request body too large: at most ${IMAGE_LIMITS.maxChatBodyBytes} bytes with images`,
  internal: 'Internal Server Error',
} as const

export type ErrorMessage = (typeof ERRORS)[keyof typeof ERRORS]

/** The JSON body of every API error. */
export interface ApiError {
  statusCode: number
  statusMessage: string
}
