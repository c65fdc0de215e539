import { timingSafeEqual } from 'node:crypto';
import { supabaseVerifier } from '../access/supabase.ts';
import { ownerOfToken } from '../access/tokens.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/types.ts';
import { HttpError } from './respond.ts';

/** Who each request is, settled by `identify` before its handler runs. */
const identities = new WeakMap<Request, { owner: string } | { refused: HttpError }>();

const unauthorized = () =>
  new HttpError(401, 'UNAUTHORIZED', 'Send Authorization: Bearer <token> with a token this server knows.', { 'www-authenticate': 'Bearer' });

/**
 * Finds out whose invoices the request may see: with FACTEUR_AUTH=none, the one local owner; with
 * `token`, the owner its bearer token stands for; with `supabase`, the owner claim of a valid
 * Supabase Auth access token. A refusal is kept and raised by `ownerOf`, so that
 * endpoints that need no owner (the cron tick, metrics) are not refused for lack of one.
 */
export async function identify(request: Request, config: Config, sql: Sql): Promise<void> {
  if (config.auth === 'none') return void identities.set(request, { owner: 'local' });
  const match = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '');
  let owner: string | null = null;
  if (match) owner = config.auth === 'token' ? await ownerOfToken(sql, match[1]!, config.tokens) : await verifierFor(config)(match[1]!);
  identities.set(request, owner ? { owner } : { refused: unauthorized() });
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

/** The owner `identify` found for this request; throws its refusal (401) otherwise. */
export function ownerOf(request: Request): string {
  const identity = identities.get(request);
  if (!identity) throw unauthorized();
  if ('refused' in identity) throw identity.refused;
  return identity.owner;
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
