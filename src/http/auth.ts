import { timingSafeEqual } from 'node:crypto';
import { supabaseVerifier } from '../access/supabase.ts';
import { ownerOfToken } from '../access/tokens.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/types.ts';
import { HttpError } from './respond.ts';

const unauthorized = () =>
  new HttpError(401, 'UNAUTHORIZED', 'Send Authorization: Bearer <token> with a token this server knows.', {
    'www-authenticate': 'Bearer',
  });

/**
 * Whose invoices the request may see: with FACTEUR_AUTH=none, the one local owner; with `token`,
 * the owner its bearer token stands for; with `supabase`, the owner claim of a valid Supabase Auth
 * access token. Anyone else is refused (401).
 */
export async function authenticate(request: Request, config: Config, sql: Sql): Promise<string> {
  if (config.auth === 'none') return 'local';
  const match = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '');
  if (!match) throw unauthorized();
  const owner = config.auth === 'token' ? await ownerOfToken(sql, match[1]!, config.tokens) : await verifierFor(config)(match[1]!);
  if (!owner) throw unauthorized();
  return owner;
}

// One verifier per configuration: it caches the project's JWKS.
const verifiers = new WeakMap<Config, (token: string) => Promise<string | null>>();

function verifierFor(config: Config): (token: string) => Promise<string | null> {
  let verify = verifiers.get(config);
  if (!verify) {
    verify = supabaseVerifier(config.supabase!);
    verifiers.set(config, verify);
  }
  return verify;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the request carries `Authorization: Bearer <FACTEUR_METRICS_TOKEN>` (never true while it is unset). */
export function checkMetricsToken(request: Request, config: Config): boolean {
  const match = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '');
  return config.metricsToken !== undefined && match !== null && sameSecret(match[1]!, config.metricsToken);
}

/**
 * The scheduler's endpoint (the worker tick). With CRON_SECRET set, they need exactly
 * `Authorization: Bearer <CRON_SECRET>`; without it, they are open unless `refuseWithoutSecret`
 * (the worker in production), and then refuse everyone (never compare against an unset secret:
 * "Bearer undefined" must not pass).
 */
export function checkCronSecret(request: Request, config: Config, refuseWithoutSecret: boolean): void {
  const secret = config.cronSecret;
  if (!secret) {
    if (refuseWithoutSecret) {
      throw new HttpError(401, 'CRON_SECRET_MISSING', 'Set CRON_SECRET on the server to call the worker endpoint.');
    }
    return;
  }
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  if (!match || !sameSecret(match[1]!, secret)) {
    throw new HttpError(401, 'UNAUTHORIZED', 'The worker endpoint needs Authorization: Bearer <CRON_SECRET>.', {
      'www-authenticate': 'Bearer',
    });
  }
}
