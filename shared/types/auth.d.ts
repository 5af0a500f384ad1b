// The sealed neptun-session cookie holds only this: who, and which session generation.
declare module '#auth-utils' {
  interface User {
    id: number
    email: string
  }
  interface UserSession {
    /** users.session_version when the session was issued; a newer one revokes it. */
    version: number
    /** When the user signed in (ms since the epoch): deleting an account without a password needs a recent one. */
    signedInAt?: number
  }
}

export {}
