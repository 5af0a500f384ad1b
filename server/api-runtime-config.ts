/**
 * API requests read the runtime config the whole process shares. The i18n module asks for the
 * request's own copy on every request (`useRuntimeConfig(event)`), which Nitro builds by cloning
 * the config and reading the environment again: about a millisecond added to every API call,
 * the chat endpoint's time to first token included, for a translation context no API route
 * uses. Registered ahead of the module's plugin (nuxt.config.ts), this hands API requests the
 * shared config as their own. Pages keep their per-request copy.
 */
export default defineNitroPlugin((nitro) => {
  nitro.hooks.hook('request', (event) => {
    if (event.path.startsWith('/api/')) event.context.nitro.runtimeConfig ??= useRuntimeConfig()
  })
})
