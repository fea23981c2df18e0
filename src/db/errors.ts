/**
 * SQLSTATE codes that mean "the database is too busy or stalled to do this now", where trying again
 * shortly is the right advice: a statement cancelled by its timeout (57014), a lock not granted
 * (55P03), a deadlock or serialization loser (40P01, 40001), a server out of connections or still
 * starting (53300, 57P03).
 */
const BUSY_SQLSTATES = new Set(['57014', '55P03', '40P01', '40001', '53300', '57P03']);

/** What pg and its pool say when no connection was had within the connection timeout. */
const BUSY_MESSAGES = ['timeout exceeded when trying to connect', 'due to connection timeout'];

/** Whether this error (a pg error, not one it is wrapped in) says the database is busy or stalled. */
export function isDatabaseBusy(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && BUSY_SQLSTATES.has(code)) return true;
  return BUSY_MESSAGES.some((text) => error.message.includes(text));
}

/**
 * Whether a database error can come from one row of a group: SQLSTATE class 22 (data exception,
 * such as a NUL byte in text), 23 (integrity constraint) or P0 (raised by a trigger or function).
 */
export function isRowError(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|23|P0)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
