/**
 * An unexpected error as a log line that carries no data: the database's errors and the query
 * errors around them hold the statement's parameters (message text, emails, password hashes)
 * and sometimes values in their messages, so of those only the SQL text (placeholders, no
 * values), the SQLSTATE and where it was raised are kept. Stacks keep their frames only, since
 * their first line repeats the message.
 *
 * @example console.error('[api] unhandled error', describeErrorForLog(error))
 */
export function describeErrorForLog(error: unknown): string {
  const parts: string[] = []
  let frames = ''
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    parts.push(depth ? `caused by ${describeOne(current)}` : describeOne(current))
    const stack = (current as { stack?: unknown }).stack
    if (!frames && typeof stack === 'string') frames = stack.split('\n').filter(line => line.startsWith('    at ')).slice(0, 10).join('\n')
  }
  return [...parts, frames].filter(Boolean).join('\n  ')
}

const SQLSTATE = /^[0-9A-Z]{5}$/

function describeOne(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const fields = error as Error & { code?: unknown, query?: unknown, routine?: unknown, severity?: unknown, table_name?: unknown, table?: unknown, column_name?: unknown, column?: unknown, constraint_name?: unknown, constraint?: unknown }
  const name = error.name || error.constructor?.name || 'Error'
  const isDatabaseError = typeof fields.code === 'string' && SQLSTATE.test(fields.code)
  if (typeof fields.query === 'string' && !isDatabaseError) return `${name}: query ${fields.query.slice(0, 500)} (parameters withheld)`
  if (isDatabaseError) {
    const where = [
      ['severity', fields.severity], ['routine', fields.routine], ['table', fields.table_name ?? fields.table],
      ['column', fields.column_name ?? fields.column], ['constraint', fields.constraint_name ?? fields.constraint],
    ].filter(([, value]) => typeof value === 'string' && value).map(([key, value]) => `${key}=${value}`).join(' ')
    return `${name} SQLSTATE ${fields.code}${where ? ` ${where}` : ''} (message withheld)`
  }
  return `${name}${typeof fields.code === 'string' ? ` ${fields.code}` : ''}: ${error.message}`
}
