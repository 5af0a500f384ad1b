/**
 * The in-app path to return to after logging in; anything else (an absolute URL, `//evil.example`,
 * `/\evil.example`) falls back to `/` so the login page cannot be used as an open redirect.
 */
export function safeRedirect(value: unknown): string {
  const path = Array.isArray(value) ? value[0] : value
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/'
  return path
}
