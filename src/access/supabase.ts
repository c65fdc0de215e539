import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Role } from './accounts.ts';
import { isReservedOwner } from './tokens.ts';

export interface SupabaseAuth {
  /** HS256 projects: the JWT secret of the Supabase project. */
  jwtSecret?: string;
  /** Asymmetric keys: the project's JWKS (`<SUPABASE_URL>/auth/v1/.well-known/jwks.json`). */
  jwksUrl?: string;
  /** The claim naming the owner: `sub` (the user), or a path such as `app_metadata.org_id`. */
  ownerClaim: string;
  /** The project's URL: names the cookie `@supabase/ssr` keeps the session in, and the sign-in form's server. */
  url?: string;
  /** The project's public (anon) key, for the sign-in form's supabase-js. */
  anonKey?: string;
  /** When set (FACTEUR_SUPABASE_ISSUER, e.g. `https://<project>.supabase.co/auth/v1`), tokens must carry exactly this `iss`. */
  issuer?: string;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
      payload,
    );
}

/**
 * Checks Supabase Auth access tokens (signature, an `exp` that has not passed — a token without
 * one never expires, so it is refused —, audience `authenticated`, the issuer when configured) and
 * answers the owner they stand for, or null; a reserved owner name is refused like a bad token.
 * The role is `app_metadata.role` when it is `admin` (only the project's service side can write
 * app_metadata), `member` otherwise. The JWKS is fetched once and cached by jose.
 */
export function supabaseVerifier(auth: SupabaseAuth): (token: string) => Promise<{ owner: string; role: Role } | null> {
  const key = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : new TextEncoder().encode(auth.jwtSecret ?? '');
  const checks = { audience: 'authenticated', requiredClaims: ['exp'], ...(auth.issuer ? { issuer: auth.issuer } : {}) };
  return async (token) => {
    try {
      const { payload } =
        key instanceof Uint8Array ? await jwtVerify(token, key, { ...checks, algorithms: ['HS256'] }) : await jwtVerify(token, key, checks);
      const owner = claimAt(payload, auth.ownerClaim);
      const role: Role = claimAt(payload, 'app_metadata.role') === 'admin' ? 'admin' : 'member';
      return typeof owner === 'string' && owner !== '' && !isReservedOwner(owner) ? { owner, role } : null;
    } catch {
      return null;
    }
  };
}

/** `sb-<project ref>-auth-token`, as supabase-js names its storage key; any project's when the URL is not configured. */
export function sessionCookieName(url: string | undefined): RegExp {
  const ref = url ? new URL(url).hostname.split('.')[0]!.replace(/[^A-Za-z0-9-]/g, '') : '[A-Za-z0-9-]+';
  return new RegExp(`^sb-${ref}-auth-token(?:\\.(\\d{1,2}))?$`);
}

/**
 * The access token of the Supabase session `@supabase/ssr` keeps in cookies, or null: the value
 * may be split into chunks (`.0`, `.1`, …, joined in order) and may be `base64-` + base64url of
 * the session's JSON (older versions: the JSON itself, or an array whose first item is the token).
 */
export function accessTokenFromCookies(cookies: ReadonlyMap<string, string>, url: string | undefined): string | null {
  const name = sessionCookieName(url);
  const whole: string[] = [];
  const chunks: string[] = [];
  for (const [key, value] of cookies) {
    const match = name.exec(key);
    if (!match) continue;
    if (match[1] === undefined) whole.push(value);
    else chunks[Number(match[1])] = value;
  }
  const joined = whole[0] ?? (chunks.length > 0 && !chunks.includes(undefined as never) ? chunks.join('') : null);
  if (joined === null) return null;
  try {
    const text = joined.startsWith('base64-') ? Buffer.from(joined.slice('base64-'.length), 'base64url').toString('utf8') : joined;
    const session: unknown = JSON.parse(text);
    const token = Array.isArray(session) ? session[0] : (session as { access_token?: unknown } | null)?.access_token;
    return typeof token === 'string' && token !== '' ? token : null;
  } catch {
    return null;
  }
}
