import { SHARE_PATH } from '#shared/contract/shares'

/** Pages anyone may see; every other page needs a session. */
const PUBLIC_PATHS = new Set(['/login', '/signup'])

/**
 * A logged-out visitor goes to /login?redirect=<where they were going>; a logged-in one never
 * sees the login or sign-up form.
 */
export default defineNuxtRouteMiddleware((to) => {
  // A shared chat is for anyone with its link, signed in or not.
  if (to.path.startsWith(SHARE_PATH)) return
  const { loggedIn } = useUserSession()
  if (PUBLIC_PATHS.has(to.path)) {
    if (loggedIn.value) return navigateTo(safeRedirect(to.query.redirect))
    return
  }
  if (!loggedIn.value) return navigateTo({ path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } })
})
