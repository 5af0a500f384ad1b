import { API_KEY_PREFIX } from '#shared/contract/api'

/** 32 random bytes in base64url: 43 characters after the prefix. */
const API_KEY = new RegExp(`^${API_KEY_PREFIX}[\\w-]{43}$`)
/** The scheme, then the credential (RFC 9110, section 11.4): the scheme is case-insensitive. */
const BEARER = /^bearer$/i

/**
 * The API key in an `Authorization` header's value, or undefined when the value is anything but
 * `Bearer <a well-formed key>`. Runs on any header a client sends (up to 16 KiB), so it splits on
 * blanks and matches anchored patterns without nested quantifiers: linear in the value's length.
 *
 * @example apiKeyOfAuthorization('Bearer nk_…') // 'nk_…'
 */
export function apiKeyOfAuthorization(value: string): string | undefined {
  const [scheme, key, ...rest] = value.trim().split(/[ \t]+/)
  if (!scheme || !BEARER.test(scheme) || !key || rest.length || !API_KEY.test(key)) return undefined
  return key
}
