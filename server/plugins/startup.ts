/**
 * Production refuses to start without a proper session password: a short or missing one would
 * make every session cookie forgeable or every log-in fail. The database connection starts
 * now so the first request does not pay for it, but requests wait on useDb() either way; then
 * answers whose generation died with an earlier process are ended as errors.
 */
export default defineNitroPlugin((nitroApp) => {
  if (!import.meta.dev) {
    const password = serverConfig().sessionPassword
    if (password.length < 32) {
      const message = '[neptun] NUXT_SESSION_PASSWORD must be set to at least 32 characters; refusing to start.'
      console.error(message)
      // Node exits; runtimes without process.exit (Workers) fail every request instead.
      if (typeof process.exit === 'function') process.exit(1)
      throw new Error(message)
    }
  }
  // Workers allow no I/O outside a request; there the first request connects.
  if (ON_WORKERS) return
  useDb().then(async (db) => {
    // Answers left `streaming` by a process that died: PGlite has one process per folder, so
    // every such answer is dead; on PostgreSQL other instances may be generating theirs.
    await endDeadAnswers(db, (await useDbConnection()).kind === 'pglite' ? 'all' : 'stale')
  }).catch((error) => {
    console.error(`[neptun] database not ready yet (${isDatabaseUnavailable(error) ? 'unreachable' : 'error'}); requests will retry.`, isDatabaseUnavailable(error) ? '' : error)
  })
  nitroApp.hooks.hook('close', () => closeDb())
})
