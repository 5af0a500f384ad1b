import { defineNuxtModule, useLogger } from '@nuxt/kit'

/**
 * `npm run dev` without Cloudflare credentials wires the app to the bundled Workers AI emulator,
 * so the first run works offline, and says so (this log line, and the banner the UI shows when
 * /api/health reports `ai: "emulator"`). Production builds never do this.
 */
export default defineNuxtModule({
  meta: { name: 'neptun-dev-emulator' },
  async setup(_options, nuxt) {
    if (!nuxt.options.dev || nuxt.options.test) return
    const env = process.env
    const hasCredentials = (env.CLOUDFLARE_ACCOUNT_ID || env.NUXT_CLOUDFLARE_ACCOUNT_ID) && (env.CLOUDFLARE_API_TOKEN || env.NUXT_CLOUDFLARE_API_TOKEN)
    if (hasCredentials) return

    const { startEmulator } = await import('../emulator/server.ts')
    const emulator = await startEmulator({ port: Number(env.EMULATOR_PORT) || 0, tokenDelayMs: Number(env.EMULATOR_TOKEN_DELAY_MS) || 25 })
    Object.assign(env, {
      CLOUDFLARE_ACCOUNT_ID: emulator.accountId,
      CLOUDFLARE_API_TOKEN: emulator.token,
      CLOUDFLARE_API_BASE_URL: emulator.url,
      NUXT_AI_EMULATOR: 'true',
    })
    nuxt.options.runtimeConfig.aiEmulator = true
    useLogger('neptun').warn(`No Cloudflare credentials: replies come from the offline Workers AI emulator at ${emulator.url}. Set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN for Llama 3.3 70B.`)
    nuxt.hook('close', () => emulator.close())
  },
})
