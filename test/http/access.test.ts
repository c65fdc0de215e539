import { execFile } from 'node:child_process';
import { type Server, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));
const API_DIR = fileURLToPath(new URL('../../app/api', import.meta.url));

/** Every Next.js route file under a folder. */
function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? routeFiles(join(dir, entry.name)) : entry.name === 'route.ts' ? [join(dir, entry.name)] : [],
  );
}
const ALICE = 'alice-token-0123456789abcdefghij';
const BOB = 'bob-token-0123456789abcdefghijklm';
const CRON_SECRET = 'access-test-cron-secret-0123456789';

// FACTEUR_AUTH=token, on the server so that the CLI can create a token in the same database.
describe('access control with bearer tokens', () => {
  let db: TestDb;
  let app: RunningServer;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    app = await startServer({ DATABASE_URL: db.url!, FACTEUR_AUTH: 'token', FACTEUR_TOKENS: `alice:${ALICE}, bob:${BOB}`, CRON_SECRET });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  const call = async (path: string, token?: string, init: RequestInit = {}) => {
    const response = await fetch(`${app.url}${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
    };
  };
  const uploadAs = async (token: string) => {
    const invoice = sampleInvoice();
    invoice.fields['BT-1'] = `ACCESS-${token.slice(0, 5)}-${Date.now()}`;
    const body = new FormData();
    body.append('file', new Blob([writeCii(invoice)]), 'facture.xml');
    const { status, body: json } = await call('/api/upload', token, { method: 'POST', body });
    expect(status).toBe(201);
    return (json.invoices as { invoiceId: string }[])[0]!.invoiceId;
  };

  it('refuses requests without a known token, and writes nothing', async () => {
    for (const token of [undefined, 'not-a-known-token-0123456789', `${ALICE}x`]) {
      const list = await call('/api/invoices', token);
      expect(list).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      const body = new FormData();
      body.append('file', new Blob([writeCii(sampleInvoice())]), 'facture.xml');
      expect((await call('/api/upload', token, { method: 'POST', body })).status).toBe(401);
    }
    const { rows } = await db.db.query<{ n: number }>('SELECT count(*)::int AS n FROM invoices');
    expect(rows[0]!.n).toBe(0);
  });

  it('scopes every read and write to the token’s owner: another’s invoice is a 404 like a missing one', async () => {
    const alices = await uploadAs(ALICE);
    await waitFor('processed', async () => (await call(`/api/queue/status?invoiceId=${alices}`, ALICE)).body.status === 'completed');

    const aliceList = await call('/api/invoices', ALICE);
    expect((aliceList.body.invoices as { invoiceId: string }[]).map((i) => i.invoiceId)).toEqual([alices]);
    expect((await call('/api/invoices', BOB)).body.invoices).toEqual([]);

    const missing = '00000000-0000-4000-8000-000000000000';
    for (const path of [
      '/api/queue/status?invoiceId=ID',
      '/api/queue/events?invoiceId=ID',
      '/api/invoices/ID',
      '/api/invoices/ID/status',
      '/api/invoices/ID/events',
      '/api/invoices/ID/file',
      '/api/invoices/ID/export',
    ]) {
      const foreign = await call(path.replace('ID', alices), BOB);
      const absent = await call(path.replace('ID', missing), BOB);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error!.code).toBe(absent.body.error!.code);
      expect(foreign.body.error!.message.replace(alices, missing)).toBe(absent.body.error!.message);
    }
    const requeue = await call('/api/queue/add', BOB, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invoiceId: alices }),
    });
    expect(requeue).toMatchObject({ status: 404, body: { error: { code: 'INVOICE_NOT_FOUND' } } });
    const { rows } = await db.db.query<{ owner: string; jobs: number }>(
      'SELECT i.owner, count(q.id)::int AS jobs FROM invoices i JOIN processing_queue q ON q.invoice_id = i.id GROUP BY i.owner',
    );
    expect(rows).toEqual([{ owner: 'alice', jobs: 1 }]);
  });

  it('puts every route of app/api behind the guard: 401 without a token, and the cron secret opens only the worker endpoint (metrics need an admin or the metrics token)', async () => {
    const routes = routeFiles(API_DIR).flatMap((file) => {
      const path = `/api/${relative(API_DIR, dirname(file)).split(sep).join('/')}`.replace(/\/$/, '');
      return [...readFileSync(file, 'utf8').matchAll(/^export const (GET|POST|PUT|PATCH|DELETE)\b/gm)].map(
        (match) => `${match[1]} ${path}`,
      );
    });
    expect(routes.length).toBeGreaterThan(15);
    const opened: string[] = [];
    // Signing in and out need no caller (test/security/signin.test.ts).
    for (const route of routes.filter((route) => !['POST /api/session', 'DELETE /api/session'].includes(route))) {
      const [method, path] = route.split(' ') as [string, string];
      const url = `${app.url}${path.replace('[id]', '00000000-0000-4000-8000-000000000000')}`;
      const refused = await fetch(url, { method });
      expect({ route, status: refused.status, code: ((await refused.json()) as { error?: { code: string } }).error?.code }).toEqual({
        route,
        status: 401,
        code: 'UNAUTHORIZED',
      });
      const scheduler = await fetch(url, { method, headers: { authorization: `Bearer ${CRON_SECRET}` } });
      await scheduler.arrayBuffer();
      if (scheduler.status !== 401) opened.push(route);
    }
    expect(opened.sort()).toEqual(['GET /api/queue/worker', 'POST /api/queue/worker']);
  });

  it('accepts a token created with the CLI, until it is revoked', async () => {
    const env = { ...process.env, DATABASE_URL: db.url!, LOG_LEVEL: 'silent' };
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'token', 'create', '--owner', 'carol', '--label', 'test'], {
      env,
    });
    const token = stdout.trim();
    expect(token).toMatch(/^fct_[A-Za-z0-9_-]{43}$/);
    const { rows } = await db.db.query<{ token_sha256: string }>('SELECT token_sha256 FROM api_tokens');
    expect(rows.map((row) => row.token_sha256)).not.toContain(token);

    await uploadAs(token);
    expect((await call('/api/invoices', token)).body.invoices).toHaveLength(1);
    await promisify(execFile)(process.execPath, [BIN, 'token', 'revoke', token], { env });
    expect((await call('/api/invoices', token)).status).toBe(401);
  });
});

describe('upload rate limit per owner', () => {
  let app: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'facteur-rate-'));
    app = await startServer({
      FACTEUR_DATA_DIR: dataDir,
      FACTEUR_AUTH: 'token',
      FACTEUR_TOKENS: `alice:${ALICE},bob:${BOB}`,
      FACTEUR_UPLOAD_RATE: '3',
    });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = async (token: string, count: number) => {
    const body = new FormData();
    for (let i = 0; i < count; i++) {
      const invoice = sampleInvoice();
      invoice.fields['BT-1'] = `RATE-${token.slice(0, 3)}-${Date.now()}-${i}`;
      body.append('file', new Blob([writeCii(invoice)]), `f${i}.xml`);
    }
    const response = await fetch(`${app.url}/api/upload`, { method: 'POST', body, headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as { error?: { code: string } },
    };
  };

  it('answers 429 with Retry-After past the owner’s files per minute, and leaves other owners alone', async () => {
    // A fixed window per minute: should the minute turn between the two uploads, try once more.
    for (let attempt = 0; attempt < 2; attempt++) {
      const minute = Math.floor(Date.now() / 60_000);
      const first = await upload(ALICE, 3);
      const second = await upload(ALICE, 1);
      if (Math.floor(Date.now() / 60_000) !== minute) continue;
      expect(first.status).toBe(201);
      expect(second).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
      expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(second.retryAfter)).toBeLessThanOrEqual(60);
      expect((await upload(BOB, 1)).status).toBe(201);
      return;
    }
    throw new Error('the minute turned twice during the test');
  });
});

describe('access control with Supabase Auth tokens', () => {
  const secret = 'super-secret-jwt-token-with-at-least-32-characters';
  const servers: RunningServer[] = [];
  const dirs: string[] = [];
  let jwks: Server;

  const start = async (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'facteur-supabase-'));
    dirs.push(dir);
    const app = await startServer({ FACTEUR_DATA_DIR: dir, FACTEUR_AUTH: 'supabase', ...env });
    servers.push(app);
    return app;
  };
  afterAll(async () => {
    await Promise.all(servers.map((app) => app.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    jwks?.close();
  });

  const listAs = async (app: RunningServer, token: string) => {
    const response = await fetch(`${app.url}/api/invoices`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as { invoices?: unknown[]; error?: { code: string } } };
  };
  const uploadAs = async (app: RunningServer, token: string) => {
    const body = new FormData();
    body.append('file', new Blob([writeCii(sampleInvoice())]), 'facture.xml');
    return (await fetch(`${app.url}/api/upload`, { method: 'POST', body, headers: { authorization: `Bearer ${token}` } })).status;
  };

  it('HS256: the user of a valid token owns what they upload; expired, forged or foreign-audience tokens get 401', async () => {
    const app = await start({ SUPABASE_JWT_SECRET: secret });
    const key = new TextEncoder().encode(secret);
    const sign = (claims: Record<string, unknown>, options: { expires?: string; audience?: string; key?: Uint8Array } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(String(claims.sub))
        .setAudience(options.audience ?? 'authenticated')
        .setExpirationTime(options.expires ?? '1h')
        .sign(options.key ?? key);
    const ana = await sign({ sub: 'user-ana' });
    const ben = await sign({ sub: 'user-ben' });
    expect(await uploadAs(app, ana)).toBe(201);
    expect((await listAs(app, ana)).body.invoices).toHaveLength(1);
    expect((await listAs(app, ben)).body.invoices).toHaveLength(0);
    for (const bad of [
      await sign({ sub: 'user-ana' }, { expires: '-1m' }),
      await sign({ sub: 'user-ana' }, { key: new TextEncoder().encode('another-secret-of-at-least-32-characters!!') }),
      await sign({ sub: 'user-ana' }, { audience: 'anon' }),
      'not.a.jwt',
    ]) {
      expect(await listAs(app, bad)).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    }
  });

  it('JWKS with an organisation claim: members of one organisation share its invoices', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createHttpServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', () => resolve()));
    const { port } = jwks.address() as AddressInfo;
    const app = await start({
      SUPABASE_JWKS_URL: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json`,
      FACTEUR_OWNER_CLAIM: 'app_metadata.org_id',
    });
    const sign = (sub: string, org: string | undefined) =>
      new SignJWT({ app_metadata: org ? { org_id: org } : {} })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(sub)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(privateKey);
    expect(await uploadAs(app, await sign('user-1', 'org-a'))).toBe(201);
    expect((await listAs(app, await sign('user-2', 'org-a'))).body.invoices).toHaveLength(1);
    expect((await listAs(app, await sign('user-3', 'org-b'))).body.invoices).toHaveLength(0);
    expect((await listAs(app, await sign('user-4', undefined))).status).toBe(401);
  });
});
