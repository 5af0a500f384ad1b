// What a database error means for its caller, read from the SQLSTATE or socket code of the error
// or of what it wraps (drizzle wraps the driver's errors).

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300',
])

/** A deadlock and a serialization failure: PostgreSQL rolled the statement back whole. */
const LOST_RACE_CODES = new Set(['40P01', '40001'])

/** True when `error` means the database is unreachable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return hasCode(error, UNAVAILABLE_CODES)
}

/**
 * True when `error` is a statement that lost a race with another (a deadlock, a serialization
 * failure): it was rolled back whole, so it may simply run again.
 */
export function isLostRace(error: unknown): boolean {
  return hasCode(error, LOST_RACE_CODES)
}

function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && codes.has(code)) return true
  }
  return false
}
