import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { isReservedOwner } from './tokens.ts';

export interface SupabaseAuth {
  /** HS256 projects: the JWT secret of the Supabase project. */
  jwtSecret?: string;
  /** Asymmetric keys: the project's JWKS (`<SUPABASE_URL>/auth/v1/.well-known/jwks.json`). */
  jwksUrl?: string;
  /** The claim naming the owner: `sub` (the user), or a path such as `app_metadata.org_id`. */
  ownerClaim: string;
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
 * The JWKS is fetched once and cached by jose.
 */
export function supabaseVerifier(auth: SupabaseAuth): (token: string) => Promise<string | null> {
  const key = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : new TextEncoder().encode(auth.jwtSecret ?? '');
  const checks = { audience: 'authenticated', requiredClaims: ['exp'], ...(auth.issuer ? { issuer: auth.issuer } : {}) };
  return async (token) => {
    try {
      const { payload } =
        key instanceof Uint8Array ? await jwtVerify(token, key, { ...checks, algorithms: ['HS256'] }) : await jwtVerify(token, key, checks);
      const owner = claimAt(payload, auth.ownerClaim);
      return typeof owner === 'string' && owner !== '' && !isReservedOwner(owner) ? owner : null;
    } catch {
      return null;
    }
  };
}
