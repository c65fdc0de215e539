// The endpoints the interface adds (retry, retry all, priority, export, dashboard), against the
// production build on the PostgreSQL server with no in-process worker: jobs stay pending until a
// tick of /api/queue/worker runs them, so every state is reached on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/server.ts';

const CRON_SECRET = 'screens-secret';
const encoder = new TextEncoder();

describe('the interface endpoints', () => {
  let db: TestDb;
  let app: RunningServer;
  let sequence = 0;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    app = await startServer({ DATABASE_URL: db.url!, FACTEUR_WORKER: 'none', CRON_SECRET });
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  /** Queued straight into the database, as an upload would, but with no upload kick to run it. */
  const queued = async (xml?: string, owner = 'local') => {
    const invoice = sampleInvoice();
    sequence += 1;
    invoice.fields['BT-1'] = `SCREEN-${Date.now()}-${sequence}`;
    const file = acceptFile(`ecran-${sequence}.xml`, encoder.encode(xml ?? writeCii(invoice)), 1_000_000);
    const [stored] = await storeInvoices(db.db, new Queue(db.db), owner, [file], { source: { kind: 'upload', details: {} } });
    return { invoiceId: stored!.invoiceId, number: invoice.fields['BT-1'] };
  };
  const tick = () => fetch(`${app.url}/api/queue/worker`, { headers: { authorization: `Bearer ${CRON_SECRET}` } }).then((r) => r.json());
  const post = (path: string, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const status = async (invoiceId: string) =>
    (await (await fetch(`${app.url}/api/queue/status?invoiceId=${invoiceId}`)).json()) as {
      status: string;
      priority: number;
      attempts: number;
    };
  const code = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

  it('changes a pending job’s priority, and refuses once it has run', async () => {
    const { invoiceId } = await queued();
    const changed = await post(`/api/invoices/${invoiceId}/priority`, { priority: 100 });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ invoiceId, status: 'pending', priority: 100 });
    expect((await post(`/api/invoices/${invoiceId}/priority`, { priority: 'high' })).status).toBe(400);
    await tick();
    const late = await post(`/api/invoices/${invoiceId}/priority`, { priority: 5 });
    expect([late.status, await code(late)]).toEqual([409, 'NOT_PENDING']);
    const unknown = await post('/api/invoices/00000000-0000-4000-8000-000000000000/priority', { priority: 5 });
    expect(unknown.status).toBe(404);
  });

  it('retries a failed invoice with a fresh set of attempts, refuses one that has not failed, and retries all', async () => {
    const doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x/>';
    const broken = await queued(doctype);
    const someoneElses = await queued(`${doctype}<!-- elsewhere -->`, 'someone-else');
    const fine = await queued();
    await tick();
    expect((await status(broken.invoiceId)).status).toBe('failed');
    const notFailed = await post(`/api/invoices/${fine.invoiceId}/retry`);
    expect([notFailed.status, await code(notFailed)]).toEqual([409, 'NOT_FAILED']);

    const retried = await post(`/api/invoices/${broken.invoiceId}/retry`);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ invoiceId: broken.invoiceId, status: 'pending', attempts: 0 });
    await tick();
    expect(await status(broken.invoiceId)).toMatchObject({ status: 'failed', attempts: 1 });

    // Only the caller's own failed invoices.
    const all = await post('/api/queue/retry-failed');
    expect(await all.json()).toEqual({ retried: 1 });
    expect((await status(broken.invoiceId)).status).toBe('pending');
    const { rows } = await db.db.query<{ status: string }>('SELECT status FROM processing_queue WHERE invoice_id = $1', [
      someoneElses.invoiceId,
    ]);
    expect(rows).toEqual([{ status: 'failed' }]);
    await tick();
  });

  it('exports the normalised invoice as JSON and as CSV, one row per line', async () => {
    const { invoiceId, number } = await queued();
    const early = await fetch(`${app.url}/api/invoices/${invoiceId}/export?format=csv`);
    expect([early.status, await code(early)]).toEqual([409, 'NOT_EXTRACTED']);
    await tick();

    const json = await fetch(`${app.url}/api/invoices/${invoiceId}/export?format=json`);
    expect(json.headers.get('content-disposition')).toBe(`attachment; filename="${number}.json"; filename*=UTF-8''${number}.json`);
    expect(((await json.json()) as { fields: Record<string, string> }).fields).toMatchObject({ 'BT-1': number, 'BT-112': '1455.30' });

    const csv = await fetch(`${app.url}/api/invoices/${invoiceId}/export?format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n')
      .map((row) => row.split(';'));
    expect(rows).toHaveLength(4);
    const [header, first] = rows as [string[], string[]];
    const cell = (term: string) => first[header.indexOf(term)];
    expect([cell('BT-1'), cell('BT-27'), cell('BT-112'), cell('BT-153'), cell('BT-131')]).toEqual([
      number,
      'ATELIER DU FACTEUR SAS',
      '1455,30',
      'Conseil (jour)',
      '900,00',
    ]);
    expect((await fetch(`${app.url}/api/invoices/${invoiceId}/export?format=xls`)).status).toBe(400);
  });

  it('gives the dashboard its buckets, processing times and the workers seen', async () => {
    const hour = (await (await fetch(`${app.url}/api/queue/dashboard?range=hour`)).json()) as {
      buckets: { at: string; completed: number; failed: number }[];
      medianMs: number;
      p95Ms: number;
      workers: { worker: string; completed: number }[];
    };
    expect(hour.buckets).toHaveLength(60);
    const { rows } = await db.db.query<{ completed: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE outcome = 'completed')::int AS completed, count(*) FILTER (WHERE outcome <> 'completed')::int AS failed FROM job_attempts`,
    );
    expect(hour.buckets.reduce((sum, b) => sum + b.completed, 0)).toBe(rows[0]!.completed);
    expect(hour.buckets.reduce((sum, b) => sum + b.failed, 0)).toBe(rows[0]!.failed);
    expect(hour.medianMs).toBeGreaterThanOrEqual(0);
    expect(hour.p95Ms).toBeGreaterThanOrEqual(hour.medianMs);
    expect(hour.workers.reduce((sum, w) => sum + w.completed, 0)).toBe(rows[0]!.completed);
    const day = (await (await fetch(`${app.url}/api/queue/dashboard?range=day`)).json()) as { buckets: unknown[]; bucketSeconds: number };
    expect([day.buckets.length, day.bucketSeconds]).toEqual([48, 1800]);
    const bad = await fetch(`${app.url}/api/queue/dashboard?range=week`);
    expect([bad.status, await code(bad)]).toEqual([400, 'INVALID_RANGE']);
  });
});
