import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { freePort } from '../support/ports.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

// The attack suite's HTTP part (issue 13, points 2, 3, 4 and 7): each test plays the attacker
// against the production build (`next build`) through a real socket.

const NEXT_BIN = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALICE = 'alice-security-token-0123456789ab';
const METRICS = 'metrics-scraper-token-0123456789ab';
const CRON_SECRET = 'security-cron-secret-0123456789abcd';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly the headers given (fetch would not send a foreign Host). */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

const code = (answer: Answer) => (JSON.parse(answer.body) as { error?: { code: string } }).error?.code;

/** A multipart body built by hand, so that part names and file names are exactly the attacker's. */
function multipart(parts: { name: string; fileName?: string; content: string }[]): { body: Buffer; type: string } {
  const boundary = `----facteur${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    ...parts.map((part) =>
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${part.fileName === undefined ? '' : `; filename="${part.fileName}"`}\r\n` +
          `${part.fileName === undefined ? '' : 'Content-Type: application/xml\r\n'}\r\n${part.content}\r\n`,
      ),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

const invoiceXml = (number = `SEC-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`) => {
  const invoice = sampleInvoice();
  invoice.fields['BT-1'] = number;
  return writeCii(invoice);
};

/** `next start` on the given host, for the start-up checks: resolves with its exit, or `listening`. */
async function startOn(
  host: string,
  env: Record<string, string>,
): Promise<{ exitCode: number | null; stderr: string; child: ChildProcess; url: string }> {
  const port = await freePort();
  const { FACTEUR_AUTH: _auth, FACTEUR_ALLOW_PUBLIC: _public, VERCEL: _vercel, ...inherited } = process.env;
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', host], {
    cwd: ROOT,
    env: { ...inherited, NEXT_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (child.exitCode === null && Date.now() < deadline) {
    const answered = await fetch(`${url}/api/queue/stats`)
      .then((response) => response.arrayBuffer().then(() => true))
      .catch(() => false);
    if (answered) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A refused start exits on its own, even if a request arrived first.
  await waitFor(
    'the server started or exited',
    async () =>
      child.exitCode !== null ||
      (await fetch(url).then(
        () => true,
        () => false,
      )),
    30_000,
  );
  return { exitCode: child.exitCode, stderr, child, url };
}

/** A production server for the enclosing `describe`, on a data folder of its own; `url` once started. */
function serverWith(env: Record<string, string>): { readonly url: string } {
  let app: RunningServer | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'facteur-security-'));
  beforeAll(async () => {
    app = await startServer({ FACTEUR_DATA_DIR: dataDir, FACTEUR_WORKER: 'none', ...env });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get url() {
      return app!.url;
    },
  };
}

describe('closed by default (point 2)', () => {
  const stop = (child: ChildProcess) =>
    child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) : Promise.resolve();

  it('refuses to start without sign-in on an address others can reach, or on Vercel, with one line naming the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facteur-closed-'));
    try {
      for (const [host, env] of [
        ['0.0.0.0', { FACTEUR_DATA_DIR: dir }],
        ['0.0.0.0', { FACTEUR_DATA_DIR: dir, FACTEUR_ALLOW_PUBLIC: '1' }], // FACTEUR_AUTH=none must be written out too
        ['127.0.0.1', { VERCEL: '1', DATABASE_URL: 'postgres://127.0.0.1:1/nowhere' }],
      ] as const) {
        const started = await startOn(host, env);
        await stop(started.child);
        expect({ host, env, exitCode: started.exitCode }).toEqual({ host, env, exitCode: 1 });
        const line = started.stderr.split('\n').find((l) => l.startsWith('facteur:'));
        expect(line).toMatch(/set FACTEUR_AUTH \(token, supabase or accounts\)/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('starts on 0.0.0.0 when the operator says so twice (FACTEUR_AUTH=none and FACTEUR_ALLOW_PUBLIC=1), or with an auth mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facteur-open-'));
    try {
      const envs: Record<string, string>[] = [
        { FACTEUR_DATA_DIR: dir, FACTEUR_AUTH: 'none', FACTEUR_ALLOW_PUBLIC: '1' },
        { FACTEUR_DATA_DIR: dir, FACTEUR_AUTH: 'token', FACTEUR_TOKENS: `alice:${ALICE}` },
      ];
      for (const env of envs) {
        const started = await startOn('0.0.0.0', env);
        try {
          expect(started.exitCode).toBeNull();
          const list = await send(`${started.url}/api/invoices`, { headers: { authorization: `Bearer ${ALICE}` } });
          expect(list.status).toBe(200);
        } finally {
          await stop(started.child);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('requests from elsewhere, without sign-in (point 3)', () => {
  const app = serverWith({});
  const port = () => new URL(app.url).port;

  const count = async () => (JSON.parse((await send(`${app.url}/api/invoices`)).body) as { invoices: unknown[] }).invoices.length;

  it('answers 421 to any Host but a loopback name (DNS rebinding), on the API and the page’s own read', async () => {
    const { body, type } = multipart([{ name: 'file', fileName: 'facture.xml', content: invoiceXml() }]);
    expect((await send(`${app.url}/api/upload`, { method: 'POST', headers: { 'content-type': type }, body })).status).toBe(201);
    expect((await send(`${app.url}/`)).body).toContain('facture.xml');
    for (const host of ['evil.example', `evil.example:${port()}`, `127.0.0.1.nip.io:${port()}`, `localhost.evil.example:${port()}`]) {
      const answer = await send(`${app.url}/api/invoices`, { headers: { host } });
      expect({ host, status: answer.status, code: code(answer) }).toEqual({ host, status: 421, code: 'MISDIRECTED_REQUEST' });
    }
    for (const host of [`localhost:${port()}`, `127.0.0.1:${port()}`, `[::1]:${port()}`, `LOCALHOST:${port()}`]) {
      expect({ host, status: (await send(`${app.url}/api/invoices`, { headers: { host } })).status }).toEqual({ host, status: 200 });
    }
    // The inbox page renders its first rows on the server, through the same guard.
    const page = await send(`${app.url}/`, { headers: { host: `evil.example:${port()}` } });
    expect(page.body).not.toContain('facture.xml');
  });

  it('refuses a cross-site upload (a form or a fetch from another origin) and stores nothing; the app’s own page and API clients still upload', async () => {
    const before = await count();
    const { body, type } = multipart([{ name: 'file', fileName: 'facture.xml', content: invoiceXml() }]);
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://localhost:${port()}` }, // another origin for the browser, though the same server
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: `http://sub.127.0.0.1:${port()}` },
    ];
    for (const headers of foreign) {
      const answer = await send(`${app.url}/api/upload`, { method: 'POST', headers: { ...headers, 'content-type': type }, body });
      expect({ headers, status: answer.status, code: code(answer) }).toEqual({ headers, status: 403, code: 'CROSS_SITE_REQUEST' });
    }
    expect(await count()).toBe(before);

    // What the inbox's fetch sends, and what curl or the CLI sends.
    const own = await send(`${app.url}/api/upload`, {
      method: 'POST',
      headers: { origin: app.url, 'sec-fetch-site': 'same-origin', 'content-type': type },
      body,
    });
    expect(own.status).toBe(201);
    const machine = await send(`${app.url}/api/upload`, { method: 'POST', headers: { 'content-type': type }, body });
    expect(machine.status).toBe(201);
    expect(await count()).toBe(before + 2);
  });

  it('refuses cross-site retries, re-queues and review decisions, and JSON sent as anything but application/json (415)', async () => {
    const { body, type } = multipart([{ name: 'file', fileName: 'facture.xml', content: invoiceXml() }]);
    const invoiceId = (
      JSON.parse((await send(`${app.url}/api/upload`, { method: 'POST', headers: { 'content-type': type }, body })).body) as {
        invoices: { invoiceId: string }[];
      }
    ).invoices[0]!.invoiceId;
    for (const path of [
      `/api/invoices/${invoiceId}/retry`,
      '/api/queue/retry-failed',
      '/api/queue/add',
      `/api/invoices/${invoiceId}/approve`,
    ]) {
      const answer = await send(`${app.url}${path}`, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify({ invoiceId }),
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
    }
    // A form on another site can send text/plain without a preflight, never application/json.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await send(`${app.url}/api/queue/add`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify({ invoiceId, priority: 5 }),
      });
      expect({ contentType, status: answer.status, code: code(answer) }).toEqual({
        contentType,
        status: 415,
        code: 'UNSUPPORTED_CONTENT_TYPE',
      });
    }
    const json = await send(`${app.url}/api/queue/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ invoiceId, priority: 5 }),
    });
    expect(json.status).toBeLessThan(300);
  });
});

describe('bounded bodies, and extractions counted per owner (point 4)', () => {
  const auth = { authorization: `Bearer ${ALICE}` };
  const app = serverWith({
    FACTEUR_AUTH: 'token',
    FACTEUR_TOKENS: `alice:${ALICE},bob:bob-security-token-0123456789abcd`,
    FACTEUR_UPLOAD_RATE: '4',
  });

  it('refuses a JSON body past 16 KB (413): by its Content-Length before reading, or once 16 KB have streamed', async () => {
    const declared = await send(`${app.url}/api/queue/add`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ invoiceId: '00000000-0000-4000-8000-000000000000', pad: 'x'.repeat(17 * 1024) }),
    });
    expect({ status: declared.status, code: code(declared) }).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });

    // 300 MB announced by no length at all: the server answers long before the client has sent it.
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"pad":"'));
      },
      pull(controller) {
        if (sent >= 300 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await fetch(`${app.url}/api/queue/add`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    await streamed.body?.cancel();
    // Socket buffers and Next.js's own take a few MB (6 MB measured); the server never held the 300.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('accepts only parts named "file", at most 20 of them, and stores nothing from a refused body', async () => {
    const list = async () =>
      (JSON.parse((await send(`${app.url}/api/invoices`, { headers: auth })).body) as { invoices: unknown[] }).invoices.length;
    const before = await list();
    for (const [parts, expected] of [
      [
        [
          { name: 'file', fileName: 'a.xml', content: invoiceXml() },
          { name: 'owner', content: 'bob' },
        ],
        [400, 'UNEXPECTED_PART'],
      ],
      [[{ name: 'other', fileName: 'a.xml', content: invoiceXml() }], [400, 'UNEXPECTED_PART']],
      [Array.from({ length: 21 }, () => ({ name: 'file', fileName: 'e.xml', content: '' })), [413, 'TOO_MANY_PARTS']],
      [Array.from({ length: 100_000 }, () => ({ name: 'x', content: '' })), [413, 'TOO_MANY_PARTS']],
    ] as const) {
      const { body, type } = multipart(parts as unknown as { name: string; fileName?: string; content: string }[]);
      const answer = await send(`${app.url}/api/upload`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
      expect([answer.status, code(answer)]).toEqual(expected);
    }
    expect(await list()).toBe(before);
  });

  it('counts re-queues and retries against the per-owner limit, and refuses an owner at the limit before reading its upload', async () => {
    // A fixed window per minute: should the minute turn during the test, try once more.
    for (let attempt = 0; attempt < 2; attempt++) {
      const minute = Math.floor(Date.now() / 60_000);
      const { body, type } = multipart([{ name: 'file', fileName: 'facture.xml', content: invoiceXml() }]);
      const uploaded = await send(`${app.url}/api/upload`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
      if (uploaded.status === 429) continue; // the previous attempt's minute
      expect(uploaded.status).toBe(201);
      const invoiceId = (JSON.parse(uploaded.body) as { invoices: { invoiceId: string }[] }).invoices[0]!.invoiceId;
      const requeue = () =>
        send(`${app.url}/api/invoices/${invoiceId}/enqueue`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{}',
        });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await requeue()).status);

      // An upload that never finishes sending its body: refused at once, not after the upload timeout.
      const hanging = await new Promise<Answer>((resolve, reject) => {
        const request = httpRequest(
          `${app.url}/api/upload`,
          { method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=x', 'content-length': '10000000' } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.on('end', () => {
              request.destroy();
              resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString() });
            });
          },
        );
        request.on('error', reject);
        request.write('--x\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n<');
      });
      const bobs = multipart([{ name: 'file', fileName: 'facture.xml', content: invoiceXml() }]);
      const bob = await send(`${app.url}/api/upload`, {
        method: 'POST',
        headers: { authorization: 'Bearer bob-security-token-0123456789abcd', 'content-type': bobs.type },
        body: bobs.body,
      });
      if (Math.floor(Date.now() / 60_000) !== minute) continue;
      // 1 upload + 3 re-queues reach the limit of 4; the 5th extraction is refused.
      expect(statuses).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), 429, 429]);
      expect(statuses.slice(0, 3).every((s) => s < 300)).toBe(true);
      expect({ status: hanging.status, code: code(hanging), retryAfter: Number(hanging.headers['retry-after']) > 0 }).toEqual({
        status: 429,
        code: 'RATE_LIMITED',
        retryAfter: true,
      });
      expect(bob.status).toBe(201);
      return;
    }
    throw new Error('the minute turned twice during the test');
  });
});

describe('the small ones (point 7)', () => {
  const auth = { authorization: `Bearer ${ALICE}` };
  const app = serverWith({
    FACTEUR_AUTH: 'token',
    FACTEUR_TOKENS: `alice:${ALICE}`,
    FACTEUR_METRICS_TOKEN: METRICS,
    CRON_SECRET,
  });

  it('opens /api/metrics to the metrics token (or an admin) only: not to members, not to the cron secret', async () => {
    const as = async (authorization?: string) =>
      (await send(`${app.url}/api/metrics`, { headers: authorization ? { authorization } : {} })).status;
    expect(await as()).toBe(401);
    expect(await as(`Bearer ${ALICE}`)).toBe(403);
    expect(await as(`Bearer ${CRON_SECRET}`)).toBe(401);
    expect(await as(`Bearer ${METRICS}`)).toBe(200);
  });

  it('answers 400, not 500, to a NUL in the search and to cursors it never gave', async () => {
    for (const query of [
      'q=%00',
      'q=a%1Bb',
      `q=${'x'.repeat(201)}`,
      'cursor=1_00000000-0000-4000-8000-000000000000',
      'cursor=+275760-09-13T00:00:00.000Z_00000000-0000-4000-8000-000000000000',
      'cursor=2026-01-01T00:00:00.000Z_not-a-uuid',
      'cursor=%00',
    ]) {
      const answer = await send(`${app.url}/api/invoices?${query}`, { headers: auth });
      expect({ query, status: answer.status, code: code(answer) }).toEqual({
        query,
        status: 400,
        code: query.startsWith('q=') ? 'INVALID_SEARCH' : 'INVALID_CURSOR',
      });
    }
  });

  it('strips bidi and control characters from file names, and encodes filename* per RFC 8187 on the download', async () => {
    const name = "l'été (1)\u202Efdp.\u001b[31mxml";
    const { body, type } = multipart([{ name: 'file', fileName: name, content: invoiceXml() }]);
    const uploaded = await send(`${app.url}/api/upload`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
    expect(uploaded.status).toBe(201);
    const invoiceId = (JSON.parse(uploaded.body) as { invoices: { invoiceId: string }[] }).invoices[0]!.invoiceId;
    const detail = JSON.parse((await send(`${app.url}/api/invoices/${invoiceId}`, { headers: auth })).body) as {
      invoice: { fileName: string };
    };
    expect(detail.invoice.fileName).toBe("l'été (1)fdp.[31mxml");
    const file = await send(`${app.url}/api/invoices/${invoiceId}/file`, { headers: auth });
    expect(file.headers['content-disposition']).toMatch(
      /; filename="l'_t_ \(1\)fdp\.\[31mxml"; filename\*=UTF-8''l%27%C3%A9t%C3%A9%20%281%29fdp\.%5B31mxml$/,
    );
  });

  it('refuses reserved owner names for tokens', async () => {
    const refused = await startOn('127.0.0.1', {
      FACTEUR_DATA_DIR: join(tmpdir(), 'facteur-never-opened'),
      FACTEUR_AUTH: 'token',
      FACTEUR_TOKENS: `Admin:${ALICE}`,
    });
    refused.child.kill('SIGTERM');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/the owner "Admin" is reserved/);
  }, 90_000);
});

describe('Supabase access tokens must carry exp, and the issuer when configured (point 7)', () => {
  const secret = 'security-suite-jwt-secret-of-32-characters!';
  const issuer = 'https://project.supabase.co/auth/v1';
  const app = serverWith({
    FACTEUR_AUTH: 'supabase',
    SUPABASE_JWT_SECRET: secret,
    FACTEUR_SUPABASE_ISSUER: issuer,
  });

  it('refuses a token without exp, from another issuer, or naming a reserved owner', async () => {
    const sign = (options: { exp?: boolean; iss?: string; sub?: string } = {}) => {
      const jwt = new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(options.sub ?? 'user-ana')
        .setAudience('authenticated');
      if (options.iss !== '') jwt.setIssuer(options.iss ?? issuer);
      if (options.exp ?? true) jwt.setExpirationTime('1h');
      return jwt.sign(new TextEncoder().encode(secret));
    };
    const as = async (token: string) => (await send(`${app.url}/api/invoices`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await as(await sign())).toBe(200);
    expect(await as(await sign({ exp: false }))).toBe(401);
    expect(await as(await sign({ iss: 'https://other.supabase.co/auth/v1' }))).toBe(401);
    expect(await as(await sign({ iss: '' }))).toBe(401);
    expect(await as(await sign({ sub: 'service_role' }))).toBe(401);
  });
});
