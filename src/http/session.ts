import { endSession, normaliseEmail, SESSION_DAYS, signIn } from '../access/accounts.ts';
import { sessionCookieName } from '../access/supabase.ts';
import { clientAddress, countSignInAttempt, giveBackSignInAttempt } from '../access/sign-in-throttle.ts';
import type { Facteur } from '../app.ts';
import { requestCookies, SESSION_COOKIE } from './auth.ts';
import type { Caller } from './guard.ts';
import { jsonBody } from './json-body.ts';
import { HttpError, json } from './respond.ts';

/** What the sign-in page offers: a password form (accounts), supabase-js (supabase), or nothing to sign in to. */
export interface SignInOptions {
  mode: Facteur['config']['auth'];
  /** FACTEUR_AUTH=supabase: the project the form signs in to; absent when SUPABASE_URL or SUPABASE_ANON_KEY is not set. */
  supabase?: { url: string; anonKey: string };
}

/**
 * Where to go after signing in (`/signin?next=`): a path of this site only, never another origin
 * (`//host`, `/\\host`), and no control character (a header is made of it).
 */
export function returnPath(next: string | string[] | undefined): string {
  if (typeof next !== 'string' || [...next].some((character) => character < ' ' || character === '\x7f')) return '/';
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Cookies are `Secure` except when the app is reached over plain http on the machine itself
 * (http://localhost): a browser keeps a Secure cookie only over https, and local use must work.
 */
function secureCookies(request: Request): boolean {
  const url = new URL(request.url);
  const protocol = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? url.protocol.slice(0, -1);
  return protocol === 'https' || !LOOPBACK.has(url.hostname);
}

function cookie(request: Request, name: string, value: string, maxAgeSeconds: number): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secureCookies(request) ? ['Secure'] : []),
  ].join('; ');
}

/** Sign-in, the signed-in caller, sign-out: `/api/session`. */
export function sessionHandlers(facteur: Pick<Facteur, 'config' | 'db'>) {
  const { config, db } = facteur;

  return {
    options(): SignInOptions {
      const { url, anonKey } = config.supabase ?? {};
      return { mode: config.auth, ...(url && anonKey ? { supabase: { url, anonKey } } : {}) };
    },

    /** GET: who is signed in (the pages ask it too), or 401. */
    async show(_request: Request, caller: Caller): Promise<Response> {
      return json({ owner: caller.owner, role: caller.role, mode: config.auth });
    },

    /**
     * POST `{email, password}` (FACTEUR_AUTH=accounts): a session cookie, or 401 with one message
     * for an unknown e-mail and a wrong password alike. Every attempt is counted first, per account
     * and per address; over the limit, 429 with Retry-After and the password is not checked.
     */
    async signIn(request: Request): Promise<Response> {
      if (config.auth !== 'accounts') {
        throw new HttpError(
          404,
          'SIGN_IN_UNAVAILABLE',
          `This server does not sign people in with a password (FACTEUR_AUTH=${config.auth}).`,
        );
      }
      const body = await jsonBody(request);
      if (typeof body.email !== 'string' || typeof body.password !== 'string') {
        throw new HttpError(400, 'INVALID_CREDENTIALS_FORMAT', 'Send {"email": "…", "password": "…"}.');
      }
      const subjects = { email: normaliseEmail(body.email), address: clientAddress(request) };
      const throttled = await countSignInAttempt(db, subjects);
      if (throttled) {
        throw new HttpError(429, 'TOO_MANY_SIGN_INS', 'Too many sign-in attempts; wait before trying again.', {
          'retry-after': String(throttled.retryAfterSeconds),
        });
      }
      const session = await signIn(db, subjects.email, body.password);
      if (!session) throw new HttpError(401, 'INVALID_CREDENTIALS', 'Wrong e-mail or password.');
      await giveBackSignInAttempt(db, subjects);
      const { organisation, role } = session.account;
      const response = json({ owner: organisation, role, mode: config.auth });
      response.headers.append('set-cookie', cookie(request, SESSION_COOKIE, session.token, SESSION_DAYS * 86_400));
      return response;
    },

    /**
     * DELETE: ends the session (its row is deleted, so a copy of the cookie is worthless) and
     * clears the session cookies, Supabase's included. Answers 200 even when nobody was signed in.
     */
    async signOut(request: Request): Promise<Response> {
      const cookies = requestCookies(request);
      const token = cookies.get(SESSION_COOKIE);
      if (token && config.auth === 'accounts') await endSession(db, token);
      const response = json({ signedOut: true });
      for (const name of cookies.keys()) {
        if (name === SESSION_COOKIE || (config.auth === 'supabase' && sessionCookieName(config.supabase!.url).test(name))) {
          response.headers.append('set-cookie', cookie(request, name, '', 0));
        }
      }
      return response;
    },
  };
}
