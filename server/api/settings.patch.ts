import { settingsSchema } from '#shared/contract'

/** Stores the user's preferences; a language choice also lands in this browser's cookie. */
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const patch = await readValidatedJson(event, settingsSchema)
  const settings = await updateUserSettings(user.id, patch)
  if (patch.locale !== undefined) sendLocaleCookie(event, settings.locale)
  return settings
})
