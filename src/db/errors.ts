const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * True when the error says the connection (not the statement) failed: the server went away, was
 * restarted, terminated our backend, or refused us. Such work is retried; a statement error is not.
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Class 08: connection exception; 57P: operator intervention (shutdown, terminate); 53300: too many connections.
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300' || NETWORK_CODES.has(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /connection terminated|connection error|not queryable|trying to connect/i.test(message);
}
