import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageImage } from '../einvoice/support/images.ts';
import { printInvoice, SAMPLES } from '../einvoice/support/printed.ts';
import { writeCii, writeUbl } from '../einvoice/support/writer.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { type RunningServer, serverBackends, startServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const CRON_SECRET = 'test-cron-secret';
const MAX_UPLOAD = 200_000;
const ORDER = ['pending', 'processing', 'completed'];

let sequence = 0;
/** A distinct, valid CII (or UBL) invoice each call. */
function invoiceFile(syntax: 'cii' | 'ubl' = 'cii'): { name: string; bytes: Uint8Array } {
  const invoice = sampleInvoice();
  sequence += 1;
  invoice.fields['BT-1'] = `HTTP-${Date.now()}-${sequence}`;
  const xml = syntax === 'cii' ? writeCii(invoice) : writeUbl(invoice);
  return { name: `facture-${sequence}.xml`, bytes: new TextEncoder().encode(xml) };
}

function form(files: { name: string; bytes: Uint8Array }[]): FormData {
  const body = new FormData();
  for (const file of files) body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>]), file.name);
  return body;
}

interface Status {
  invoiceId: string;
  jobId: string;
  status: string;
  attempts: number;
  position: number | null;
  lastError: string | null;
  invoice: { number?: string; totalWithVat?: string; seller?: string; format: string | null };
}

const backends = serverBackends();

describe.each(backends)('HTTP API on $name', (backend) => {
  let app: RunningServer;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const setup = await backend.env();
    cleanup = setup.cleanup;
    app = await startServer({ ...setup.env, CRON_SECRET, FACTEUR_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), FACTEUR_POLL_MS: '200' });
  });
  afterAll(async () => {
    await app?.stop();
    await cleanup?.();
  });

  const upload = async (files: { name: string; bytes: Uint8Array }[]) => {
    const response = await fetch(`${app.url}/api/upload`, { method: 'POST', body: form(files) });
    return {
      response,
      body: (await response.json()) as { invoices: { invoiceId: string; jobId: string; status: string; duplicateOf?: string }[] },
    };
  };
  const status = async (invoiceId: string) => (await (await fetch(`${app.url}/api/queue/status?invoiceId=${invoiceId}`)).json()) as Status;
  const invoiceCount = async () =>
    (await (await fetch(`${app.url}/api/queue/stats`)).json()) as {
      pending: number;
      processing: number;
      completed: number;
      failed: number;
    };

  it('uploads one invoice and sees it through pending, processing, completed — in that order', async () => {
    const { response, body } = await upload([invoiceFile()]);
    expect(response.status).toBe(201);
    expect(body.invoices).toHaveLength(1);
    const [stored] = body.invoices;
    expect(stored).toMatchObject({ status: 'pending' });
    const seen: string[] = [];
    const done = await waitFor(
      'completed',
      async () => {
        const current = await status(stored!.invoiceId);
        if (seen.at(-1) !== current.status) seen.push(current.status);
        return current.status === 'completed' && current;
      },
      30_000,
      10,
    );
    const indexes = seen.map((s) => ORDER.indexOf(s));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(done).toMatchObject({ jobId: stored!.jobId, attempts: 1, position: null, lastError: null });
    expect(done.invoice).toMatchObject({
      number: expect.stringMatching(/^HTTP-/),
      totalWithVat: sampleInvoice().fields['BT-112'],
      format: 'cii',
    });

    const detail = (await (await fetch(`${app.url}/api/invoices/${stored!.invoiceId}`)).json()) as {
      extracted: { fields: Record<string, string> };
      history: { outcome: string }[];
    };
    expect(detail.extracted.fields['BT-27']).toBe(sampleInvoice().fields['BT-27']);
    expect(detail.history.map((h) => h.outcome)).toEqual(['completed']);
    const file = await fetch(`${app.url}/api/invoices/${stored!.invoiceId}/file`);
    expect(file.headers.get('content-type')).toBe('application/xml');
    expect(new TextDecoder().decode(await file.arrayBuffer())).toContain('CrossIndustryInvoice');
  });

  it('uploads ten invoices at once and all complete; a second copy is reported as a duplicate', async () => {
    const files = Array.from({ length: 10 }, (_, i) => invoiceFile(i % 2 ? 'ubl' : 'cii'));
    const { response, body } = await upload(files);
    expect(response.status).toBe(201);
    expect(body.invoices).toHaveLength(10);
    await waitFor(
      'ten completed',
      async () => {
        const statuses = await Promise.all(body.invoices.map((i) => status(i.invoiceId)));
        return statuses.every((s) => s.status === 'completed');
      },
      60_000,
      100,
    );

    const again = await upload([files[0]!]);
    expect(again.body.invoices[0]!.duplicateOf).toBe(body.invoices[0]!.invoiceId);
  });

  it('reads a plain PDF and a photo of it through the production server (text layer, OCR in worker threads)', async () => {
    const pdf = await printInvoice({ ...SAMPLES.fr, layout: 'beside' });
    const png = await pageImage(pdf, { dpi: 200 });
    const { body } = await upload([
      { name: 'facture.pdf', bytes: pdf },
      { name: 'photo.png', bytes: png },
    ]);
    const done = await waitFor(
      'both read',
      async () => {
        const statuses = await Promise.all(body.invoices.map((i) => status(i.invoiceId)));
        return statuses.every((s) => s.status === 'completed' || s.status === 'failed') && statuses;
      },
      90_000,
      200,
    );
    expect(done.map((s) => [s.status, s.invoice.format, s.invoice.number])).toEqual([
      ['completed', 'pdf-text', SAMPLES.fr.number],
      ['completed', 'ocr', SAMPLES.fr.number],
    ]);
  }, 120_000);

  it('pushes status changes over Server-Sent Events until the job ends', async () => {
    const { body } = await upload([invoiceFile()]);
    const invoiceId = body.invoices[0]!.invoiceId;
    const response = await fetch(`${app.url}/api/queue/events?invoiceId=${invoiceId}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text(); // the server closes the stream after `end`
    const statuses = [...text.matchAll(/event: status\ndata: (.*)\n/g)].map((m) => (JSON.parse(m[1]!) as Status).status);
    expect(statuses.at(-1)).toBe('completed');
    const indexes = statuses.map((s) => ORDER.indexOf(s));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(text).toMatch(/event: end\n/);
  });

  it('requeues with /api/queue/add idempotently: twice gives one job', async () => {
    const { body } = await upload([invoiceFile()]);
    const invoiceId = body.invoices[0]!.invoiceId;
    await waitFor('completed', async () => (await status(invoiceId)).status === 'completed');
    const add = () =>
      fetch(`${app.url}/api/queue/add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ invoiceId, priority: 5 }),
      });
    const [first, second] = await Promise.all([add(), add()]);
    const jobs = [(await first.json()) as Status & { created: boolean }, (await second.json()) as Status & { created: boolean }];
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(jobs[0]!.jobId).toBe(jobs[1]!.jobId);
    await waitFor('reprocessed', async () => (await status(invoiceId)).status === 'completed');
    const detail = (await (await fetch(`${app.url}/api/invoices/${invoiceId}`)).json()) as { history: unknown[] };
    expect(detail.history).toHaveLength(2);
  });

  it('serves each invoice under /api/invoices/{id}/…, and the older query-string URLs with the same handlers', async () => {
    const uploaded = await fetch(`${app.url}/api/invoices`, { method: 'POST', body: form([invoiceFile()]) });
    expect(uploaded.status).toBe(201);
    const invoiceId = ((await uploaded.json()) as { invoices: { invoiceId: string }[] }).invoices[0]!.invoiceId;
    const events = await (await fetch(`${app.url}/api/invoices/${invoiceId}/events`)).text();
    expect(events).toMatch(/event: end\n/);
    const canonical = await fetch(`${app.url}/api/invoices/${invoiceId}/status`);
    const alias = await fetch(`${app.url}/api/queue/status?invoiceId=${invoiceId}`);
    expect(canonical.headers.get('etag')).toBe(alias.headers.get('etag'));
    const canonicalBody = (await canonical.json()) as { invoice: { source: unknown } };
    expect(canonicalBody).toEqual(await alias.json());
    expect(canonicalBody.invoice.source).toEqual({ kind: 'upload', details: {} });

    const enqueue = (id: string, body: unknown) =>
      fetch(`${app.url}/api/invoices/${id}/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const requeued = await enqueue(invoiceId, { priority: 7 });
    expect(requeued.status).toBe(201);
    expect(await requeued.json()).toMatchObject({ invoiceId, created: true });
    await waitFor('reprocessed', async () => (await status(invoiceId)).status === 'completed');
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [response, code] of [
      [await enqueue(missing, {}), 'INVOICE_NOT_FOUND'],
      [await enqueue(invoiceId, { priority: 1001 }), 'INVALID_PRIORITY'],
      [await fetch(`${app.url}/api/invoices/nope/status`), 'INVALID_INVOICE_ID'],
      [await fetch(`${app.url}/api/invoices/${missing}/events`), 'INVOICE_NOT_FOUND'],
    ] as const) {
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('answers a status poll that names the current ETag with an empty 304, and a changed status in full', async () => {
    const { body } = await upload([invoiceFile()]);
    const invoiceId = body.invoices[0]!.invoiceId;
    await waitFor('completed', async () => (await status(invoiceId)).status === 'completed');
    const poll = (etag?: string) =>
      fetch(`${app.url}/api/queue/status?invoiceId=${invoiceId}`, {
        headers: { 'accept-encoding': 'gzip', ...(etag ? { 'if-none-match': etag } : {}) },
      });
    const first = await poll();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^no-store\b/);
    expect(first.headers.get('content-encoding')).toBeNull(); // too small to be worth gzipping
    const before = (await first.json()) as Status;
    expect(before.status).toBe('completed');

    const unchanged = await poll(etag);
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('cache-control')).toMatch(/^no-store\b/);
    expect(await unchanged.text()).toBe('');

    await fetch(`${app.url}/api/queue/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invoiceId, priority: 1 }),
    });
    const changed = await poll(etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as Status).jobId).not.toBe(before.jobId); // requeued: a new job
  });

  it('exposes Prometheus metrics that match the queue, to the admin (anyone on loopback without sign-in)', async () => {
    const { body } = await upload([invoiceFile(), invoiceFile()]);
    await waitFor('both completed', async () => {
      const statuses = await Promise.all(body.invoices.map((i) => status(i.invoiceId)));
      return statuses.every((s) => s.status === 'completed');
    });
    const response = await fetch(`${app.url}/api/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const stats = await invoiceCount();
    expect(value('facteur_jobs{status="completed"}')).toBe(stats.completed);
    expect(value('facteur_jobs{status="pending"}')).toBe(stats.pending);
    expect(value('facteur_job_attempts_total{task="process_invoice",outcome="completed"}')).toBeGreaterThanOrEqual(2);
    expect(value('facteur_extraction_duration_seconds_count{format="cii"}')).toBeGreaterThanOrEqual(2);
    expect(value('facteur_extracted_fields_total{format="cii"}')).toBeGreaterThanOrEqual(2 * Object.keys(sampleInvoice().fields).length);
    expect(value('facteur_invoices_received_total')).toBeGreaterThanOrEqual(2);
  });

  it('guards the worker endpoint with the cron secret', async () => {
    const tick = (authorization?: string) => fetch(`${app.url}/api/queue/worker`, { headers: authorization ? { authorization } : {} });
    for (const [authorization, code] of [
      [undefined, 'UNAUTHORIZED'],
      ['Bearer wrong', 'UNAUTHORIZED'],
      ['Bearer undefined', 'UNAUTHORIZED'],
      [CRON_SECRET, 'UNAUTHORIZED'],
    ] as const) {
      const response = await tick(authorization);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const ok = await tick(`Bearer ${CRON_SECRET}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      claimed: expect.any(Number),
      completed: expect.any(Number),
      remaining: expect.any(Number),
      durationMs: expect.any(Number),
    });
    const post = await fetch(`${app.url}/api/queue/worker`, { method: 'POST', headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(post.status).toBe(200);
  });

  it('refuses bad input with its status and code, and writes nothing', async () => {
    const before = await invoiceCount();
    const post = (init: RequestInit, path = '/api/upload') => fetch(`${app.url}${path}`, { method: 'POST', ...init });
    const postJson = (body: unknown, path: string) =>
      post({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, path);
    const cases: [string, () => Promise<Response>, number, string][] = [
      [
        'a part not named file',
        () =>
          post({
            body: (() => {
              const f = new FormData();
              f.append('other', 'x');
              return f;
            })(),
          }),
        400,
        'UNEXPECTED_PART',
      ],
      ['an empty file', () => post({ body: form([{ name: 'vide.pdf', bytes: new Uint8Array() }]) }), 400, 'EMPTY_FILE'],
      [
        'a file that is no invoice',
        () => post({ body: form([{ name: 'photo.gif', bytes: new TextEncoder().encode('GIF89a……') }]) }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'random bytes',
        () => post({ body: form([{ name: 'x.pdf', bytes: new Uint8Array([0, 1, 2, 3, 255, 254]) }]) }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'JSON instead of multipart',
        () => post({ headers: { 'content-type': 'application/json' }, body: '{}' }),
        415,
        'UNSUPPORTED_CONTENT_TYPE',
      ],
      [
        'malformed multipart',
        () =>
          post({
            headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
            body: '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n<x/>',
          }),
        400,
        'MALFORMED_MULTIPART',
      ],
      [
        'a file one byte over the limit',
        () => post({ body: form([{ name: 'big.pdf', bytes: new Uint8Array(MAX_UPLOAD + 1).fill(0x25) }]) }),
        413,
        'FILE_TOO_LARGE',
      ],
      [
        'a body far over the limit',
        () => post({ body: form([{ name: 'huge.pdf', bytes: new Uint8Array(MAX_UPLOAD * 6).fill(0x25) }]) }),
        413,
        'BODY_TOO_LARGE',
      ],
      [
        'one good file with one bad',
        () => post({ body: form([invoiceFile(), { name: 'vide.xml', bytes: new Uint8Array() }]) }),
        400,
        'EMPTY_FILE',
      ],
      [
        'add: not JSON',
        () => post({ headers: { 'content-type': 'application/json' }, body: '{oops' }, '/api/queue/add'),
        400,
        'INVALID_JSON',
      ],
      ['add: malformed id', () => postJson({ invoiceId: 'nope' }, '/api/queue/add'), 400, 'INVALID_INVOICE_ID'],
      [
        'add: unknown id',
        () => postJson({ invoiceId: '00000000-0000-4000-8000-000000000000' }, '/api/queue/add'),
        404,
        'INVOICE_NOT_FOUND',
      ],
      [
        'add: bad priority',
        () => postJson({ invoiceId: '00000000-0000-4000-8000-000000000000', priority: 'high' }, '/api/queue/add'),
        400,
        'INVALID_PRIORITY',
      ],
      ['status: no id', () => fetch(`${app.url}/api/queue/status`), 400, 'INVALID_INVOICE_ID'],
      [
        'status: unknown id',
        () => fetch(`${app.url}/api/queue/status?invoiceId=00000000-0000-4000-8000-000000000000`),
        404,
        'INVOICE_NOT_FOUND',
      ],
      ['file: unknown id', () => fetch(`${app.url}/api/invoices/00000000-0000-4000-8000-000000000000/file`), 404, 'INVOICE_NOT_FOUND'],
      ['list: bad status', () => fetch(`${app.url}/api/invoices?status=lost`), 400, 'INVALID_STATUS'],
      ['list: bad source', () => fetch(`${app.url}/api/invoices?source=fax`), 400, 'INVALID_SOURCE'],
    ];
    for (const [what, send, statusCode, code] of cases) {
      const response = await send();
      const body = (await response.json()) as { error?: { code: string; message: string } };
      expect({ what, status: response.status, code: body.error?.code }).toEqual({ what, status: statusCode, code });
      expect(body.error!.message.length).toBeGreaterThan(10);
    }
    const after = await invoiceCount();
    expect(after.pending + after.processing + after.completed + after.failed).toBe(
      before.pending + before.processing + before.completed + before.failed,
    );
  });
});

// Several ticks against one database: the server's, where the test can queue jobs behind the app's back.
describe('worker ticks on the PostgreSQL server', () => {
  let db: TestDb;
  let serverless: RunningServer;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    // No in-process worker: only the ticks run jobs.
    serverless = await startServer({ DATABASE_URL: db.url!, FACTEUR_WORKER: 'none', CRON_SECRET });
  });
  afterAll(async () => {
    await serverless?.stop();
    await db?.drop();
  });

  it('five overlapping ticks on 200 queued invoices process each exactly once', async () => {
    // Queued straight into the database, as uploads would, but with no upload kick to run them first.
    const files = Array.from({ length: 200 }, () => invoiceFile()).map((f) => acceptFile(f.name, f.bytes, MAX_UPLOAD));
    const stored = await storeInvoices(db.db, new Queue(db.db), 'local', files, { source: { kind: 'upload', details: {} } });
    const ticks = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${serverless.url}/api/queue/worker`, { headers: { authorization: `Bearer ${CRON_SECRET}` } }).then(
          (r) => r.json() as Promise<{ claimed: number; completed: number }>,
        ),
      ),
    );
    expect(ticks.reduce((sum, tick) => sum + tick.completed, 0)).toBe(200);
    expect(ticks.filter((tick) => tick.claimed > 0).length).toBeGreaterThan(1);
    const { rows } = await db.db.query<{ n: number; jobs: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT job_id)::int AS jobs FROM job_attempts WHERE job_id = ANY($1::uuid[])`,
      [stored.map((s) => s.jobId)],
    );
    expect(rows[0]).toEqual({ n: 200, jobs: 200 });
  }, 120_000);

  it('GET /api/invoices?source= keeps the invoices that came in that way, each saying where from', async () => {
    const queue = new Queue(db.db);
    const store = (kind: 'folder' | 'cli', details: Record<string, string>) =>
      storeInvoices(
        db.db,
        queue,
        'local',
        [invoiceFile()].map((f) => acceptFile(f.name, f.bytes, MAX_UPLOAD)),
        { source: { kind, details } },
      );
    const [fromFolder] = await store('folder', { folder: '/srv/factures' });
    const [fromCli] = await store('cli', {});
    const list = async (query: string) =>
      (
        (await (await fetch(`${serverless.url}/api/invoices?${query}`)).json()) as {
          invoices: { invoiceId: string; invoice: { source: unknown } }[];
        }
      ).invoices;
    expect(await list('source=folder')).toEqual([
      expect.objectContaining({
        invoiceId: fromFolder!.invoiceId,
        invoice: expect.objectContaining({ source: { kind: 'folder', details: { folder: '/srv/factures' } } }),
      }),
    ]);
    expect((await list('source=cli')).map((row) => row.invoiceId)).toEqual([fromCli!.invoiceId]);
    const uploads = await list('source=upload&limit=200');
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads.map((row) => row.invoiceId)).not.toContain(fromFolder!.invoiceId);
  });
});

describe('HTTP API without its database', () => {
  it('answers 503 DB_UNAVAILABLE', async () => {
    const app = await startServer({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' });
    try {
      for (const path of ['/api/queue/stats', '/api/queue/status?invoiceId=00000000-0000-4000-8000-000000000000']) {
        const response = await fetch(`${app.url}${path}`);
        expect(response.status).toBe(503);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('DB_UNAVAILABLE');
      }
    } finally {
      await app.stop();
    }
  });
});
