import type { Hash } from '@adonisjs/hash'

let hashing: Promise<Hash> | undefined

/**
 * scrypt through @adonisjs/hash, exactly as nuxt-auth-utils' hashPassword and verifyPassword use
 * it (the same library and `runtimeConfig.hash.scrypt` options, so the hashes are the same), but
 * loaded at the first password a server checks: one that only relays chat turns never loads it.
 */
function scrypt(): Promise<Hash> {
  hashing ??= Promise.all([import('@adonisjs/hash'), import('@adonisjs/hash/drivers/scrypt')])
    .then(([{ Hash }, { Scrypt }]) => new Hash(new Scrypt(useRuntimeConfig().hash?.scrypt)))
  hashing.catch(() => {
    hashing = undefined
  })
  return hashing
}

/** The hash to store for a new password. */
export async function hashNewPassword(password: string): Promise<string> {
  return (await scrypt()).make(password)
}

/** Whether `password` is the one `hash` was made from. */
export async function passwordMatches(hash: string, password: string): Promise<boolean> {
  return (await scrypt()).verify(hash, password)
}
