import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import { HttpError } from './respond.ts';

/** Whose invoices a request may see. Until accounts exist (FACTEUR_AUTH=none), everything is the local owner's. */
export function ownerOf(_request: Request, config: Config): string {
  if (config.auth !== 'none') {
    throw new HttpError(501, 'AUTH_NOT_AVAILABLE', `FACTEUR_AUTH=${config.auth} is not available in this version; use none.`);
  }
  return 'local';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The worker endpoint is for the scheduler only. With CRON_SECRET set, it needs exactly
 * `Authorization: Bearer <CRON_SECRET>`; in production without CRON_SECRET it refuses everyone
 * (never compare against an unset secret: "Bearer undefined" must not pass).
 */
export function checkCronSecret(request: Request, config: Config, production: boolean): void {
  const secret = config.cronSecret;
  if (!secret) {
    if (production) {
      throw new HttpError(401, 'CRON_SECRET_MISSING', 'Set CRON_SECRET on the server to call the worker endpoint.');
    }
    return;
  }
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  if (!match || !sameSecret(match[1]!, secret)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'The worker endpoint needs Authorization: Bearer <CRON_SECRET>.', { 'www-authenticate': 'Bearer' });
  }
}
