import type { SignUpInfo } from '#shared/contract'

/** GET /api/auth/sign-up: which SIGNUP_MODE applies, for the sign-up page. Public. */
export default defineEventHandler((): SignUpInfo => ({ mode: serverConfig().signUpMode }))
