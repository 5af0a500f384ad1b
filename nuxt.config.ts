import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { NitroConfig } from 'nitropack'
import { DEFAULT_LOCALE, LOCALES } from './shared/contract/locales'

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

// https://nuxt.com/docs/api/configuration/nuxt-config
export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  devtools: { enabled: false },
  telemetry: false,

  modules: ['@nuxt/ui', 'nuxt-auth-utils', '@nuxt/eslint', '@nuxtjs/i18n', 'nuxt-security'],

  // Security headers and a per-response nonce on every script Nuxt writes into a page: no inline
  // script runs without it, and 'strict-dynamic' lets those scripts load the app's chunks. Limits,
  // body size, CSRF and input checks are the app's own (server/utils), so the module's in-memory
  // and per-instance versions of them are off.
  security: {
    nonce: true,
    sri: true,
    headers: {
      contentSecurityPolicy: {
        'default-src': ['\'self\''],
        'script-src': ['\'self\'', '\'strict-dynamic\'', '\'nonce-{{nonce}}\''],
        'script-src-attr': ['\'none\''],
        'style-src': ['\'self\'', '\'unsafe-inline\''],
        'img-src': ['\'self\'', 'data:', 'blob:'],
        'font-src': ['\'self\'', 'data:'],
        'connect-src': ['\'self\''],
        'worker-src': ['\'self\''],
        'object-src': ['\'none\''],
        'base-uri': ['\'self\''],
        'form-action': ['\'self\''],
        'frame-ancestors': ['\'none\''],
        'upgrade-insecure-requests': false,
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubdomains: true },
      xFrameOptions: 'DENY',
      referrerPolicy: 'strict-origin-when-cross-origin',
      crossOriginEmbedderPolicy: false,
    },
    rateLimiter: false,
    requestSizeLimiter: false,
    xssValidator: false,
    corsHandler: false,
    allowedMethodsRestricter: false,
    csrf: false,
    removeLoggers: false,
  },

  // Dev keeps Vite's inline, eval-based hot reload working, over plain http.
  $development: {
    security: { headers: { contentSecurityPolicy: false, strictTransportSecurity: false } },
  },


  css: ['~/assets/css/main.css'],

  // Styles as <link rel="stylesheet"> (cached once) instead of about 130 KiB of CSS inlined into
  // every page's head. It also keeps the head free of CSS escapes such as `\"`, on which
  // nuxt-security's nonce injection (it masks quoted strings with a regular expression) loses
  // step and leaves the tags after them without the nonce.
  features: { inlineStyles: false },

  // ES module workers, so the highlight worker can load each grammar as its own chunk.
  vite: { worker: { format: 'es' } },

  // Offline by rule: no font or icon may be fetched at build or run time.
  ui: { fonts: false },
  icon: {
    provider: 'server',
    serverBundle: { collections: ['lucide'] },
    clientBundle: { scan: true },
    fallbackToApi: false,
  },

  // URLs stay the same in every language. The browser's language decides unless the user chose
  // one (plugins/locale-preference.ts); each language's messages load on their own, when needed.
  i18n: {
    strategy: 'no_prefix',
    defaultLocale: DEFAULT_LOCALE,
    locales: LOCALES.map(locale => ({ ...locale, file: `${locale.code}.json` })),
    detectBrowserLanguage: { useCookie: false, fallbackLocale: DEFAULT_LOCALE },
    bundle: { fullInstall: false },
  },

  runtimeConfig: {
    // nuxt-auth-utils reads NUXT_SESSION_PASSWORD into session.password.
    session: {
      name: 'neptun-session',
      password: '',
      maxAge: 60 * 60 * 24 * 7,
      cookie: { sameSite: 'lax', httpOnly: true, secure: process.env.NODE_ENV === 'production' },
    },
    // Set by the dev-mode emulator module; the CLOUDFLARE_* variables are read at run time
    // in server/utils/config.ts because Nitro only maps NUXT_* names.
    cloudflare: { accountId: '', apiToken: '', apiBaseUrl: '', aiGatewayId: '' },
    aiEmulator: false,
  },

  hooks: {
    'nitro:config'(nitro) {
      const config = nitro as NitroConfig
      // Workers need the request's async context to find its own database connection.
      if (process.env.NITRO_PRESET?.startsWith('cloudflare')) config.experimental = { ...config.experimental, asyncContext: true }
      // Nitro's Worker entry behind a body-size check (it buffers bodies before any handler).
      if (process.env.NITRO_PRESET === 'cloudflare_module') config.entry = fileURLToPath(new URL('./server/workers/entry.ts', import.meta.url))
      // Packages the server loads at start, bundled into its chunks instead of resolved one file
      // at a time from .output/server/node_modules: drizzle-orm, zod and @simplewebauthn's ASN.1
      // stack are hundreds of small modules, and resolving them took most of the 1.6 s before the
      // server listened (measured: 1.6 → 0.6 s). Vue stays external: its server renderer must
      // share its copy. (Set here: Nuxt's type for its `nitro` option leaves `externals` out.)
      config.externals = { ...config.externals, inline: [...(config.externals?.inline ?? []), 'zod', 'drizzle-orm', '@simplewebauthn/server', /@peculiar\//, '@levischuck/tiny-cbor', '@hexagon/base64', 'asn1js', 'postgres', 'xss', 'debug', 'cross-fetch', '@iconify/utils', 'lru-cache', 'eventsource-parser', 'ipaddr.js', 'consola'] }
      // Lets the test run keep the Node build and the Worker build side by side.
      if (process.env.NEPTUN_OUTPUT_DIR) config.output = { ...config.output, dir: process.env.NEPTUN_OUTPUT_DIR }
      // First of all plugins: its request hook must run before the i18n module's (see the file).
      config.plugins = ['~/server/api-runtime-config', ...(config.plugins ?? [])]
      // API answers are JSON or event streams: nothing in them may run or be framed.
      const api = config.routeRules?.['/api/**']
      config.routeRules = { ...config.routeRules, '/api/**': { ...api, headers: { ...api?.headers, 'content-security-policy': 'default-src \'none\'; frame-ancestors \'none\'' } } }
      // The API reference's renderer is served from the app itself (server/routes/docs.get.ts).
      config.publicAssets = [...(config.publicAssets ?? []), { dir: swaggerUiDir, baseURL: '/docs/assets', maxAge: 60 * 60 * 24 }]
      // drizzle's migrations travel inside .output as server assets (its migrator reads files).
      config.serverAssets = [...(config.serverAssets ?? []), { baseName: 'migrations', dir: 'db/migrations' }]
      // A new PGlite data folder is copied from a template made now (scripts/pglite-template.ts).
      if (!process.env.NITRO_PRESET?.startsWith('cloudflare')) {
        config.hooks = { ...config.hooks, compiled: (built) => {
          execFileSync(process.execPath, [fileURLToPath(new URL('./scripts/pglite-template.ts', import.meta.url)), join(built.options.output.serverDir, 'pglite-template')], { stdio: 'inherit' })
        } }
      }
      // Keep Nuxt's HTML error page for pages; API routes answer {statusCode, statusMessage}.
      const nuxtHandler = config.errorHandler
      config.errorHandler = ['~/server/error-handler', ...(Array.isArray(nuxtHandler) ? nuxtHandler : nuxtHandler ? [nuxtHandler] : [])]
    },
  },

  // Passkeys: nuxt-auth-utils' WebAuthn handlers and useWebAuthn (on @simplewebauthn).
  auth: { webAuthn: true },

  typescript: { strict: true },
})
