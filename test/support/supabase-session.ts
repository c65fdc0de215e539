import { SignJWT } from 'jose';

/** The HS256 secret the tests' Supabase project signs with (there is no Supabase server here). */
export const SUPABASE_TEST_SECRET = 'super-secret-jwt-token-with-at-least-32-characters';

/** An access token as Supabase Auth issues it, minted with the test secret. */
export function supabaseAccessToken(
  sub: string,
  options: { expires?: string; appMetadata?: Record<string, unknown>; secret?: string } = {},
): Promise<string> {
  return new SignJWT({ role: 'authenticated', app_metadata: options.appMetadata ?? {} })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '1h')
    .sign(new TextEncoder().encode(options.secret ?? SUPABASE_TEST_SECRET));
}

/**
 * The cookies @supabase/ssr writes for a session: `sb-<project ref>-auth-token`, its value
 * `base64-` + base64url of the session's JSON, cut into `.0`, `.1`, … past 3,180 characters.
 * `padding` makes the session big enough to be chunked, as a user with much metadata is.
 */
export function supabaseSessionCookies(projectUrl: string, accessToken: string, padding = 0): { name: string; value: string }[] {
  const ref = new URL(projectUrl).hostname.split('.')[0];
  const session = {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: 3600,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    refresh_token: 'refresh-token-of-the-test',
    user: { id: 'user', aud: 'authenticated', user_metadata: { note: 'x'.repeat(padding) } },
  };
  const value = `base64-${Buffer.from(JSON.stringify(session)).toString('base64url')}`;
  const name = `sb-${ref}-auth-token`;
  if (value.length <= 3180) return [{ name, value }];
  const chunks: { name: string; value: string }[] = [];
  for (let i = 0; i * 3180 < value.length; i += 1) chunks.push({ name: `${name}.${i}`, value: value.slice(i * 3180, (i + 1) * 3180) });
  return chunks;
}

/** The cookies as a request's Cookie header. */
export const cookieHeader = (cookies: { name: string; value: string }[]) => cookies.map(({ name, value }) => `${name}=${value}`).join('; ');
