import { timingSafeEqual } from 'node:crypto';
import { accountOfSession } from '../access/accounts.ts';
import { accessTokenFromCookies, supabaseVerifier } from '../access/supabase.ts';
import { ownerOfToken } from '../access/tokens.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/types.ts';
import type { CallerRole } from './guard.ts';
import { HttpError } from './respond.ts';

/** Who the request comes from: the owner whose invoices it may see, and its role. */
export interface Identity {
  owner: string;
  role: CallerRole;
}

/** The cookie of a FACTEUR_AUTH=accounts session: an opaque random token, kept hashed in `sessions`. */
export const SESSION_COOKIE = 'facteur_session';

const unauthorized = (config: Config) =>
  new HttpError(
    401,
    'UNAUTHORIZED',
    config.auth === 'token'
      ? 'Send Authorization: Bearer <token> with a token this server knows.'
      : 'Sign in at /signin, or send Authorization: Bearer <token>.',
    { 'www-authenticate': 'Bearer' },
  );

/** The request's cookies by name (the first of each name, as browsers send the most specific first). */
export function requestCookies(request: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (request.headers.get('cookie') ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 1) continue;
    const name = pair.slice(0, equals).trim();
    if (cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(pair.slice(equals + 1).trim()));
    } catch {
      // A value that is not valid percent-encoding is no session of ours: skipped.
    }
  }
  return cookies;
}

/**
 * Who the request comes from. FACTEUR_AUTH=none: the one local owner, as administrator. `token`:
 * the owner its bearer token stands for. `accounts`: the organisation of the signed-in user
 * (session cookie), or a bearer token's owner for machines. `supabase`: the owner claim of a valid
 * Supabase Auth access token, from `Authorization: Bearer` or from the session cookie
 * `@supabase/ssr` sets. Anyone else is refused (401). Pages and the API both resolve it here.
 */
export async function authenticate(request: Request, config: Config, sql: Sql): Promise<Identity> {
  if (config.auth === 'none') return { owner: 'local', role: 'admin' };
  const bearer = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  const found = bearer ? await fromBearer(bearer, config, sql) : await fromCookies(requestCookies(request), config, sql);
  if (!found) throw unauthorized(config);
  return found;
}

async function fromBearer(token: string, config: Config, sql: Sql): Promise<Identity | null> {
  return config.auth === 'supabase' ? verifierFor(config)(token) : ownerOfToken(sql, token, config.tokens);
}

async function fromCookies(cookies: Map<string, string>, config: Config, sql: Sql): Promise<Identity | null> {
  if (config.auth === 'accounts') {
    const token = cookies.get(SESSION_COOKIE);
    const account = token ? await accountOfSession(sql, token) : null;
    return account && { owner: account.organisation, role: account.role };
  }
  if (config.auth === 'supabase') {
    const token = accessTokenFromCookies(cookies, config.supabase!.url);
    return token ? verifierFor(config)(token) : null;
  }
  return null;
}

type Verifier = ReturnType<typeof supabaseVerifier>;

// One verifier per configuration: it caches the project's JWKS.
const verifiers = new WeakMap<Config, Verifier>();

function verifierFor(config: Config): Verifier {
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
