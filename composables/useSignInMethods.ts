import type { SignInMethods } from '#shared/contract/sign-in'

/** Before GET /api/auth/methods has answered: the password form, as ever. */
const PASSWORD_ONLY: SignInMethods = { password: true, passkeys: true, sso: [] }

/**
 * How one may sign in here (password, passkeys, single sign-on providers), loaded by the
 * `sign-in-methods` route middleware of the log-in and sign-up pages. Kept in page state rather
 * than fetched by the form itself: a fetch there would make the form an async boundary on the
 * server only, and its fields' ids (what their labels point at) would differ after hydration.
 */
export function useSignInMethods() {
  const state = useState<SignInMethods | null>('sign-in-methods', () => null)
  return computed(() => state.value ?? PASSWORD_ONLY)
}

/** Loads the methods into page state, once per page load (the server's answer travels in the payload). */
export async function loadSignInMethods(): Promise<void> {
  const state = useState<SignInMethods | null>('sign-in-methods', () => null)
  if (state.value) return
  state.value = await useRequestFetch()<SignInMethods>('/api/auth/methods').catch(() => null)
}
