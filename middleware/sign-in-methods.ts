/** The log-in and sign-up pages show the ways in that are on (useSignInMethods). */
export default defineNuxtRouteMiddleware(() => loadSignInMethods())
