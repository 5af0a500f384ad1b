/** True inside Cloudflare Workers (workerd), where Node's sockets and long-lived state differ. */
export const ON_WORKERS = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers'
