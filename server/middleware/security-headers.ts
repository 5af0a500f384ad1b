/**
 * Security headers on every response. No 'unsafe-eval' anywhere; inline scripts stay allowed
 * because Nuxt inlines its runtime config. Dev keeps Vite's websocket and eval-based HMR working.
 */
const CONTENT_SECURITY_POLICY = [
  `default-src 'self'`,
  `script-src 'self' 'unsafe-inline'`,
  `style-src 'self' 'unsafe-inline'`,
  `img-src 'self' data: blob:`,
  `font-src 'self' data:`,
  `connect-src 'self'`,
  `object-src 'none'`,
  `base-uri 'self'`,
  `form-action 'self'`,
  `frame-ancestors 'none'`,
].join('; ')

export default defineEventHandler((event) => {
  setResponseHeaders(event, {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    ...(import.meta.dev ? {} : { 'content-security-policy': CONTENT_SECURITY_POLICY }),
  })
})
