/** How one may sign in here: password, passkeys and which single sign-on providers. */
export default defineEventHandler(() => signInMethods())
