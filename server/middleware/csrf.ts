import { ERRORS } from '#shared/contract'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * State-changing API requests from another site are refused. Browsers always send Origin on
 * cross-site POST/PATCH/DELETE; programs (curl, httpx) send none and are let through, since
 * only a browser carries a victim's cookie on its own. SameSite=Lax cookies stay as a second line.
 * A request with an Authorization header is let through too: it is authenticated by the API key
 * it carries, not by a cookie (the key replaces the session), and a page on another site cannot
 * add that header without a CORS preflight, which is never granted.
 */
export default defineEventHandler((event) => {
  if (SAFE_METHODS.has(event.method) || !event.path.startsWith('/api/')) return
  if (getRequestHeader(event, 'authorization') !== undefined) return
  const origin = getRequestHeader(event, 'origin')
  const fetchSite = getRequestHeader(event, 'sec-fetch-site')
  if (fetchSite === 'cross-site') throw apiError(403, ERRORS.crossSiteRequest)
  if (!origin) return
  let originHost: string
  try {
    originHost = new URL(origin).host
  }
  catch {
    throw apiError(403, ERRORS.crossSiteRequest)
  }
  const host = requestHost(event)
  if (originHost !== host) throw apiError(403, ERRORS.crossSiteRequest)
})
