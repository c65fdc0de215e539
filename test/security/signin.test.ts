// Signing in, as an attacker would try it, against the production build through a real socket:
// FACTEUR_AUTH=accounts (cookie sessions, throttling, revocation, organisations), the Supabase
// session cookie, and the sign-in page every mode that needs one shows instead of an empty inbox.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/access/accounts.ts';
import { SIGN_IN_LIMITS } from '../../src/access/sign-in-throttle.ts';
import { createToken } from '../../src/access/tokens.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { sleep } from '../support/wait.ts';
import { cookieHeader, SUPABASE_TEST_SECRET, supabaseAccessToken, supabaseSessionCookies } from '../support/supabase-session.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));
const PASSWORD = 'un mot de passe assez long';

/** Runs the CLI with `input` on its standard input. */
function facteur(args: string[], env: Record<string, string>, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, encoding: 'utf8' },
      (error: { code?: unknown } | null, stdout: string, stderr: string) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

let sequence = 0;
function invoiceForm(): FormData {
  const invoice = sampleInvoice();
  sequence += 1;
  invoice.fields['BT-1'] = `SIGNIN-${process.pid}-${sequence}`;
  const body = new FormData();
  body.append('file', new Blob([writeCii(invoice)]), 'facture.xml');
  return body;
}

describe('FACTEUR_AUTH=accounts', () => {
  let db: TestDb;
  let app: RunningServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    env = { DATABASE_URL: db.url!, FACTEUR_AUTH: 'accounts' };
    app = await startServer(env);
    await addUser(db.db, { email: 'ben@acme.test', organisation: 'acme', role: 'member' }, PASSWORD);
    await addUser(db.db, { email: 'carol@globex.test', organisation: 'globex', role: 'admin' }, PASSWORD);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  /** Signs in from `address` (as the nearest proxy would tell it); answers the response and the session cookie's value. */
  const signIn = async (email: string, password = PASSWORD, headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ email, password }),
    });
    const setCookie = response.headers.get('set-cookie') ?? '';
    return { response, setCookie, session: /facteur_session=([^;]*)/.exec(setCookie)?.[1] ?? '' };
  };
  const withSession = (session: string, init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { cookie: `facteur_session=${session}`, ...init.headers },
  });
  const status = async (path: string, session: string) => (await fetch(`${app.url}${path}`, withSession(session))).status;

  it('adds users with the CLI, the password read from stdin and never taken as an argument; each hash is scrypt with its parameters and a salt of its own', async () => {
    const added = await facteur(
      ['user', 'add', 'Ana@Acme.test', '--org', 'acme', '--role', 'admin', '--password-stdin'],
      env,
      `${PASSWORD}\n`,
    );
    expect(added).toMatchObject({ code: 0, stdout: 'Added ana@acme.test to acme as admin.\n' });
    expect((await facteur(['user', 'add', 'x@acme.test', '--org', 'acme', '--role', 'member', '--password', PASSWORD], env)).code).toBe(2);
    expect(
      (await facteur(['user', 'add', 'x@acme.test', '--org', 'acme', '--role', 'member', '--password-stdin'], env, 'short')).stderr,
    ).toMatch(/12 to 1024 characters/);
    expect(
      (await facteur(['user', 'add', 'ana@acme.test', '--org', 'acme', '--role', 'member', '--password-stdin'], env, PASSWORD)).code,
    ).toBe(2);
    const { rows } = await db.db.query<{ email: string; password_hash: string }>(
      `SELECT email, password_hash FROM users WHERE email IN ('ana@acme.test', 'ben@acme.test') ORDER BY email`,
    );
    expect(rows.map((row) => row.email)).toEqual(['ana@acme.test', 'ben@acme.test']);
    for (const row of rows) expect(row.password_hash).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    // Same password, different salts: different hashes.
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
  });

  it('signs in with an httpOnly SameSite=Lax cookie, Secure except over plain http on loopback, holding a random token of which only the hash is stored', async () => {
    const local = await signIn('ana@acme.test');
    expect(local.response.status).toBe(200);
    expect(await local.response.json()).toEqual({ owner: 'acme', role: 'admin', mode: 'accounts' });
    expect(local.setCookie).toMatch(/^facteur_session=[\w-]{43}; Path=\/; Max-Age=1209600; HttpOnly; SameSite=Lax$/);
    const behindTls = await signIn('ana@acme.test', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(behindTls.setCookie).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    expect(behindTls.session).not.toBe(local.session);

    const { rows } = await db.db.query<{ token_sha256: string }>('SELECT token_sha256 FROM sessions');
    const stored = rows.map((row) => row.token_sha256);
    expect(stored).toContain(createHash('sha256').update(local.session).digest('hex'));
    expect(stored).not.toContain(local.session);
  });

  it('lets the people of one organisation see the same invoices, and answers 404 for another organisation’s', async () => {
    const ana = (await signIn('ana@acme.test')).session;
    const ben = (await signIn('ben@acme.test')).session;
    const carol = (await signIn('carol@globex.test')).session;
    const uploaded = await fetch(`${app.url}/api/upload`, withSession(ana, { method: 'POST', body: invoiceForm() }));
    expect(uploaded.status).toBe(201);
    const { invoiceId } = ((await uploaded.json()) as { invoices: { invoiceId: string }[] }).invoices[0]!;

    const listOf = async (session: string) =>
      ((await (await fetch(`${app.url}/api/invoices`, withSession(session))).json()) as { invoices: { invoiceId: string }[] }).invoices.map(
        (invoice) => invoice.invoiceId,
      );
    expect(await listOf(ben)).toContain(invoiceId);
    expect(await listOf(carol)).not.toContain(invoiceId);
    expect(await status(`/api/invoices/${invoiceId}`, ben)).toBe(200);
    expect(await status(`/api/invoices/${invoiceId}`, carol)).toBe(404);
    expect(await (await fetch(`${app.url}/api/session`, withSession(ben))).json()).toEqual({
      owner: 'acme',
      role: 'member',
      mode: 'accounts',
    });
  });

  it('answers a wrong password and an unknown e-mail alike, and refuses forged or malformed sessions', async () => {
    const wrong = await signIn('ben@acme.test', 'not the right password', { 'x-forwarded-for': '192.0.2.10' });
    const unknown = await signIn('nobody@acme.test', 'not the right password', { 'x-forwarded-for': '192.0.2.10' });
    for (const { response, setCookie } of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(setCookie).toBe('');
      expect(await response.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Wrong e-mail or password.' } });
    }
    for (const forged of ['', 'x', 'A'.repeat(43), '%ZZ', "' OR 1=1 --"]) {
      expect(await status('/api/invoices', forged)).toBe(401);
    }
    const malformed = await fetch(`${app.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": 1}',
    });
    expect(malformed.status).toBe(400);
  });

  it('signs out by deleting the session: the same cookie is refused afterwards', async () => {
    const { session } = await signIn('ben@acme.test');
    expect(await status('/api/invoices', session)).toBe(200);
    const out = await fetch(`${app.url}/api/session`, withSession(session, { method: 'DELETE' }));
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^facteur_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
    expect(await status('/api/invoices', session)).toBe(401);
    const { rows } = await db.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE token_sha256 = $1', [
      createHash('sha256').update(session).digest('hex'),
    ]);
    expect(rows[0]!.n).toBe(0);
  });

  it('ends every session of a user at `facteur user reset` and `facteur user remove`', async () => {
    await addUser(db.db, { email: 'dan@acme.test', organisation: 'acme', role: 'member' }, PASSWORD);
    const first = (await signIn('dan@acme.test')).session;
    const second = (await signIn('dan@acme.test')).session;
    const newPassword = 'un autre mot de passe assez long';
    expect((await facteur(['user', 'reset', 'dan@acme.test', '--password-stdin'], env, newPassword)).code).toBe(0);
    expect(await status('/api/invoices', first)).toBe(401);
    expect(await status('/api/invoices', second)).toBe(401);
    expect((await signIn('dan@acme.test')).response.status).toBe(401);

    const third = (await signIn('dan@acme.test', newPassword)).session;
    expect(await status('/api/invoices', third)).toBe(200);
    expect((await facteur(['user', 'reset', 'dan@acme.test', '--role', 'admin', '--keep-password'], env)).code).toBe(0);
    expect(await status('/api/invoices', third)).toBe(401);
    const fourth = (await signIn('dan@acme.test', newPassword)).session;
    expect(await (await fetch(`${app.url}/api/session`, withSession(fourth))).json()).toMatchObject({ role: 'admin' });

    expect((await facteur(['user', 'remove', 'dan@acme.test'], env)).code).toBe(0);
    expect(await status('/api/invoices', fourth)).toBe(401);
    expect((await signIn('dan@acme.test', newPassword)).response.status).toBe(401);
    expect((await facteur(['user', 'remove', 'dan@acme.test'], env)).code).toBe(2);
  });

  it('throttles sign-ins per account (the right password is refused too) and per address, with 429 and Retry-After, leaving others alone', async () => {
    await addUser(db.db, { email: 'eve@acme.test', organisation: 'acme', role: 'member' }, PASSWORD);
    // The counts start afresh every 15 minutes: not across a boundary.
    const { rows } = await db.db.query<{ left: number }>(
      `SELECT extract(epoch FROM date_bin('15 minutes', now(), timestamptz 'epoch') + interval '15 minutes' - now())::float8 AS left`,
    );
    if (rows[0]!.left < 15) await sleep(rows[0]!.left * 1000 + 500);
    // Per account, from addresses that change at each attempt.
    for (let attempt = 1; attempt <= SIGN_IN_LIMITS.account; attempt += 1) {
      const { response } = await signIn('eve@acme.test', 'a wrong guess of a password', { 'x-forwarded-for': `198.51.100.${attempt}` });
      expect(response.status).toBe(401);
    }
    const blocked = await signIn('eve@acme.test', PASSWORD, { 'x-forwarded-for': '198.51.100.99' });
    expect(blocked.response.status).toBe(429);
    expect(blocked.setCookie).toBe('');
    expect(Number(blocked.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.response.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    expect(((await blocked.response.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_SIGN_INS');
    expect((await signIn('ben@acme.test', PASSWORD, { 'x-forwarded-for': '198.51.100.99' })).response.status).toBe(200);

    // Per address, across accounts that exist or not.
    const address = { 'x-forwarded-for': '203.0.113.7' };
    for (let attempt = 1; attempt <= SIGN_IN_LIMITS.address; attempt += 1) {
      expect((await signIn(`guess-${attempt}@acme.test`, 'a wrong guess of a password', address)).response.status).toBe(401);
    }
    const fromThere = await signIn('ben@acme.test', PASSWORD, address);
    expect(fromThere.response.status).toBe(429);
    expect((await signIn('ben@acme.test', PASSWORD, { 'x-forwarded-for': '203.0.113.8' })).response.status).toBe(200);
  });

  it('sends a visitor of every page to the sign-in page, French or English, and comes back after', async () => {
    for (const path of ['/', '/queue', '/invoices/00000000-0000-4000-8000-000000000000', '/?source=folder']) {
      const page = await fetch(`${app.url}${path}`, { redirect: 'manual' });
      expect(page.status).toBe(307);
      expect(page.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
    const french = await (await fetch(`${app.url}/signin?next=%2Fqueue`)).text();
    expect(french).toContain('<h1 id="signin-title">Connexion</h1>');
    expect(french).toContain('Mot de passe');
    const english = await (await fetch(`${app.url}/signin`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(english).toContain('<h1 id="signin-title">Sign in</h1>');

    const { session } = await signIn('ben@acme.test');
    const signedIn = await fetch(`${app.url}/signin?next=%2Fqueue`, withSession(session, { redirect: 'manual' }));
    expect(signedIn.headers.get('location')).toBe('/queue');
    // Only a path of this site: never another origin.
    for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '/\r\nSet-Cookie: x=1', '/\t/evil.example']) {
      const away = await fetch(`${app.url}/signin?next=${encodeURIComponent(next)}`, withSession(session, { redirect: 'manual' }));
      expect(away.headers.get('location')).toBe('/');
    }
    const inbox = await (await fetch(`${app.url}/`, withSession(session))).text();
    expect(inbox).toContain('acme · membre');
  });
});

describe('FACTEUR_AUTH=supabase with the session cookie of @supabase/ssr', () => {
  const PROJECT = 'http://facteur-test.localhost:9';
  let dir: string;
  let app: RunningServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'facteur-signin-supabase-'));
    app = await startServer({
      FACTEUR_DATA_DIR: dir,
      FACTEUR_AUTH: 'supabase',
      SUPABASE_JWT_SECRET: SUPABASE_TEST_SECRET,
      SUPABASE_URL: PROJECT,
      SUPABASE_ANON_KEY: 'anon-key-of-the-test',
    });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const asCookie = (cookies: { name: string; value: string }[], init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { cookie: cookieHeader(cookies), ...init.headers },
  });

  it('accepts the session from its cookie, whole or in chunks, as well as from Authorization: Bearer', async () => {
    const token = await supabaseAccessToken('user-ana');
    const chunked = supabaseSessionCookies(PROJECT, token, 5000);
    expect(chunked.map((cookie) => cookie.name)).toEqual([
      'sb-facteur-test-auth-token.0',
      'sb-facteur-test-auth-token.1',
      'sb-facteur-test-auth-token.2',
    ]);
    const uploaded = await fetch(`${app.url}/api/upload`, asCookie(chunked, { method: 'POST', body: invoiceForm() }));
    expect(uploaded.status).toBe(201);
    const { invoiceId } = ((await uploaded.json()) as { invoices: { invoiceId: string }[] }).invoices[0]!;

    const whole = supabaseSessionCookies(PROJECT, token);
    expect(whole).toHaveLength(1);
    expect((await fetch(`${app.url}/api/invoices/${invoiceId}`, asCookie(whole))).status).toBe(200);
    // The JSON itself, as older versions wrote it.
    const plain = [{ name: 'sb-facteur-test-auth-token', value: encodeURIComponent(JSON.stringify({ access_token: token })) }];
    expect((await fetch(`${app.url}/api/invoices/${invoiceId}`, asCookie(plain))).status).toBe(200);
    expect((await fetch(`${app.url}/api/invoices/${invoiceId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await (await fetch(`${app.url}/api/session`, asCookie(whole))).json()).toEqual({
      owner: 'user-ana',
      role: 'member',
      mode: 'supabase',
    });

    const ben = supabaseSessionCookies(PROJECT, await supabaseAccessToken('user-ben'));
    expect((await fetch(`${app.url}/api/invoices/${invoiceId}`, asCookie(ben))).status).toBe(404);
  });

  it('refuses an expired, forged or truncated cookie session, and another project’s cookie', async () => {
    const expired = supabaseSessionCookies(PROJECT, await supabaseAccessToken('user-ana', { expires: '-1m' }));
    const forged = supabaseSessionCookies(
      PROJECT,
      await supabaseAccessToken('user-ana', { secret: 'another-secret-of-at-least-32-characters!!' }),
    );
    const chunks = supabaseSessionCookies(PROJECT, await supabaseAccessToken('user-ana'), 5000);
    const truncated = chunks.slice(0, 1).concat(chunks.slice(2));
    const otherProject = supabaseSessionCookies('http://another-project.localhost', await supabaseAccessToken('user-ana'));
    const garbage = [{ name: 'sb-facteur-test-auth-token', value: 'base64-%%%' }];
    for (const cookies of [expired, forged, truncated, otherProject, garbage]) {
      expect((await fetch(`${app.url}/api/invoices`, asCookie(cookies))).status).toBe(401);
    }
  });

  it('takes the role from app_metadata.role, member otherwise', async () => {
    const admin = supabaseSessionCookies(PROJECT, await supabaseAccessToken('user-root', { appMetadata: { role: 'admin' } }));
    expect(await (await fetch(`${app.url}/api/session`, asCookie(admin))).json()).toMatchObject({ role: 'admin' });
    const other = supabaseSessionCookies(PROJECT, await supabaseAccessToken('user-x', { appMetadata: { role: 'owner' } }));
    expect(await (await fetch(`${app.url}/api/session`, asCookie(other))).json()).toMatchObject({ role: 'member' });
  });

  it('renders the pages for the cookie session and sends a visitor to the Supabase sign-in form', async () => {
    const cookies = supabaseSessionCookies(PROJECT, await supabaseAccessToken('user-ana'));
    const queue = await fetch(`${app.url}/queue`, asCookie(cookies));
    expect(queue.status).toBe(200);
    expect(await queue.text()).toContain('user-ana · membre');
    expect((await fetch(`${app.url}/queue`, { redirect: 'manual' })).headers.get('location')).toBe('/signin?next=%2Fqueue');
    const form = await (await fetch(`${app.url}/signin`)).text();
    expect(form).toContain('Recevoir un lien de connexion par e-mail');
    expect(
      (await fetch(`${app.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(404);
  });
});

describe('FACTEUR_AUTH=token', () => {
  let db: TestDb;
  let app: RunningServer;
  const MEMBER = 'member-token-0123456789abcdefghij';

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    app = await startServer({ DATABASE_URL: db.url!, FACTEUR_AUTH: 'token', FACTEUR_TOKENS: `ops:${MEMBER}` });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('gives a configured token the member role and an admin token (facteur token create --role admin) the admin role', async () => {
    const admin = await createToken(db.db, 'ops', 'test', 'admin');
    const roleOf = async (token: string) =>
      ((await (await fetch(`${app.url}/api/session`, { headers: { authorization: `Bearer ${token}` } })).json()) as { role: string }).role;
    expect(await roleOf(MEMBER)).toBe('member');
    expect(await roleOf(admin)).toBe('admin');
    expect(await roleOf(await createToken(db.db, 'ops'))).toBe('member');
  });

  it('shows a page saying the web app needs accounts or Supabase, instead of an empty inbox', async () => {
    expect((await fetch(`${app.url}/`, { redirect: 'manual' })).headers.get('location')).toBe('/signin?next=%2F');
    const page = await (await fetch(`${app.url}/signin`)).text();
    expect(page).toContain('FACTEUR_AUTH=accounts ou supabase');
    const english = await (await fetch(`${app.url}/signin`, { headers: { 'accept-language': 'en' } })).text();
    expect(english).toContain('FACTEUR_AUTH=accounts or supabase');
  });
});
