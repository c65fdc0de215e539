import type { Logger } from 'pino';
import { isConnectionError } from '../db/errors.ts';
import { DatabaseUnavailableError, FacteurError } from '../errors.ts';

/** An error meant for the client: its status, a stable code and a sentence. */
export class HttpError extends FacteurError {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

// Codes of bad input that have a more precise status than 400.
const STATUS_OF_CODE: Record<string, number> = {
  FILE_TOO_LARGE: 413,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_CONTENT_TYPE: 415,
  INVOICE_NOT_FOUND: 404,
};

/** `{"error": {"code", "message"}}` with the right status; anything unexpected is logged and hidden. */
export function errorResponse(error: unknown, logger: Logger): Response {
  if (error instanceof HttpError) return json({ error: { code: error.code, message: error.message } }, error.status, error.headers);
  if (error instanceof DatabaseUnavailableError || isConnectionError(error)) {
    logger.warn({ err: error }, 'database unavailable');
    return json({ error: { code: 'DB_UNAVAILABLE', message: 'The database is unavailable; nothing was changed. Try again shortly.' } }, 503, { 'retry-after': '5' });
  }
  if (error instanceof FacteurError) {
    return json({ error: { code: error.code, message: error.message } }, STATUS_OF_CODE[error.code] ?? 400);
  }
  logger.error({ err: error }, 'unexpected error in a request');
  return json({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; nothing was changed.' } }, 500);
}
