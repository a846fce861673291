// Driver error shapes: better-sqlite3 sets `code` to SQLITE_*, pg sets the SQLSTATE in `code`,
// TypeORM wraps both in QueryFailedError with the original under `driverError`.
interface DriverLike {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  driverError?: DriverLike;
}

const driverError = (err: unknown): DriverLike =>
  ((err as DriverLike | null)?.driverError ?? err ?? {}) as DriverLike;

export function isUniqueViolation(err: unknown): boolean {
  const { code } = driverError(err);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout, the database is too slow to answer
  '08000',
  '08003',
  '08006',
]);

/** True when the error means the database could not be reached, not that the query was wrong. */
export function isConnectionError(err: unknown): boolean {
  const e = driverError(err);
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(
    message,
  );
}
