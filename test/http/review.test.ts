// The review API through the real server and socket: the state each upload earns once read, the
// decisions (approve, reject, reopen) with their 409s, the trail, the list's filter, and another
// owner's invoice answered as a missing one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import type { InvoicePage } from '../../src/invoices/views.ts';
import { Queue } from '../../src/queue/queue.ts';
import type { TestDb } from '../support/databases.ts';
import { type RunningServer, serverBackends, startServer } from '../support/server.ts';
import { invoiceApi } from '../support/invoice-api.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';

let sequence = 0;
/** A distinct CII each call; `wrongTotal` breaks BR-CO-15 by a cent. */
function cii(options: { wrongTotal?: boolean; issued?: string; typeCode?: string } = {}): Uint8Array {
  const invoice = sampleInvoice();
  sequence += 1;
  invoice.fields['BT-1'] = `REVIEW-${Date.now()}-${sequence}`;
  if (options.issued) invoice.fields['BT-2'] = options.issued;
  if (options.typeCode) invoice.fields['BT-3'] = options.typeCode;
  if (options.wrongTotal) invoice.fields['BT-112'] = (Number(invoice.fields['BT-112']) + 0.01).toFixed(2);
  return new TextEncoder().encode(writeCii(invoice));
}

const backends = serverBackends();

describe.each(backends)('the review API on $name', (backend) => {
  let app: RunningServer;
  let db: TestDb | undefined;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const setup = await backend.env();
    cleanup = setup.cleanup;
    db = setup.db;
    app = await startServer({ ...setup.env, FACTEUR_POLL_MS: '200' });
  });
  afterAll(async () => {
    await app?.stop();
    await cleanup?.();
  });

  const { call, uploaded } = invoiceApi(() => app.url);

  it('makes a clean CII ready, one with an error to review, and a second upload of the same bytes a duplicate', async () => {
    const bytes = cii();
    const clean = await uploaded(bytes);
    expect(clean.review).toEqual({ state: 'ready', reasons: [], by: null, at: null, reason: null });
    expect(clean.version).toBeGreaterThan(1);
    expect(clean.reviewHistory).toEqual([{ from: null, to: 'ready', by: 'facteur', at: expect.any(String), reason: null }]);

    const wrong = await uploaded(cii({ wrongTotal: true }));
    expect(wrong.review.state).toBe('to_review');
    expect(wrong.review.reasons).toContainEqual({ code: 'ERRORS', rules: expect.arrayContaining(['BR-CO-15']) });

    const again = await uploaded(bytes);
    expect(again.review).toMatchObject({ state: 'to_review', reasons: [{ code: 'DUPLICATE', duplicateOf: clean.invoiceId }] });

    const toReview = (await call<InvoicePage>('/api/invoices?review=to_review')).body.invoices.map((i) => i.invoiceId);
    expect(toReview).toContain(wrong.invoiceId);
    expect(toReview).toContain(again.invoiceId);
    expect(toReview).not.toContain(clean.invoiceId);
    expect(await call('/api/invoices?review=maybe')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REVIEW_STATE' } } });
  });

  it('filters the list by supplier and invoice dates, says the document type, and refuses bad bounds with a 400', async () => {
    const march = await uploaded(cii({ issued: '2024-03-10' }));
    const april = await uploaded(cii({ issued: '2024-04-20', typeCode: '381' }));
    const ids = async (query: string) => (await call<InvoicePage>(`/api/invoices?${query}`)).body.invoices.map((i) => i.invoiceId);
    expect(await ids('from=2024-03-01&to=2024-03-31')).toEqual([march.invoiceId]);
    expect(await ids('from=2024-04-01&to=2024-04-30&supplier=atelier%20du')).toEqual([april.invoiceId]);
    expect(await ids('from=2024-03-01&to=2024-04-30&supplier=nobody')).toEqual([]);
    expect(await ids('to=2024-03-31')).toContain(march.invoiceId);
    const listed = (await call<InvoicePage>('/api/invoices?from=2024-04-20&to=2024-04-20')).body.invoices[0]!;
    // Stored as EN 16931 keeps it: a credit note's total is positive, its type says credit.
    expect(listed.invoice).toMatchObject({ typeCode: '381', totalWithVat: sampleInvoice().fields['BT-112'] });

    for (const [query, code] of [
      ['from=2024-02-30', 'INVALID_DATE'],
      ['to=yesterday', 'INVALID_DATE'],
      ['from=2024-05-01&to=2024-04-01', 'INVALID_DATE_RANGE'],
      [`supplier=${'x'.repeat(201)}`, 'INVALID_SUPPLIER'],
      ['supplier=a%00b', 'INVALID_SUPPLIER'],
    ] as const) {
      expect(await call(`/api/invoices?${query}`), query).toMatchObject({ status: 400, body: { error: { code } } });
    }
  });

  it('approves, refuses stale and impossible moves with 409, rejects with a reason, and keeps the trail', async () => {
    const invoice = await uploaded(cii({ wrongTotal: true }));
    const path = `/api/invoices/${invoice.invoiceId}`;
    const stale = await call(`${path}/approve`, { method: 'POST', body: { version: invoice.version - 1 } });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'VERSION_CONFLICT' } } });

    const approved = await call(`${path}/approve`, { method: 'POST', body: { version: invoice.version } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      version: invoice.version + 1,
      review: { state: 'approved', by: 'local', at: expect.any(String) },
    });

    expect(await call(`${path}/approve`, { method: 'POST' })).toMatchObject({
      status: 409,
      body: { error: { code: 'INVALID_TRANSITION' } },
    });
    expect(await call(`${path}/reject`, { method: 'POST', body: { reason: 'trop tard' } })).toMatchObject({
      status: 409,
      body: { error: { code: 'INVALID_TRANSITION' } },
    });

    expect((await call(`${path}/reopen`, { method: 'POST' })).body.review.state).toBe('to_review');
    expect(await call(`${path}/reject`, { method: 'POST', body: { reason: '  ' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'REASON_REQUIRED' } },
    });
    expect(await call(`${path}/approve`, { method: 'POST', body: { version: 'two' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_VERSION' } },
    });
    const rejected = await call(`${path}/reject`, { method: 'POST', body: { reason: 'Commande annulée' } });
    expect(rejected.body.review).toMatchObject({ state: 'rejected', by: 'local', reason: 'Commande annulée' });
    expect(rejected.body.reviewHistory.map(({ from, to, by }) => `${from}→${to} ${by}`)).toEqual([
      'null→to_review facteur',
      'to_review→approved local',
      'approved→to_review local',
      'to_review→rejected local',
    ]);
    expect((await call(path)).body.version).toBe(invoice.version + 3);
  });

  // Another owner's invoice is written beside the running app: only the server lets a second
  // connection in (PGlite is the app's alone), so this case belongs to the server's suite.
  if (backend.name === 'postgres') {
    it("answers another owner's invoice as missing, and changes nothing", async () => {
      const [theirs] = await storeInvoices(db!.db, new Queue(db!.db), 'someone-else', [acceptFile('x.xml', cii(), 2 ** 20)], {
        source: { kind: 'api', details: {} },
      });
      for (const [action, body] of [
        ['approve', {}],
        ['reject', { reason: 'pas à moi' }],
        ['reopen', {}],
      ] as const) {
        const foreign = await call(`/api/invoices/${theirs!.invoiceId}/${action}`, { method: 'POST', body });
        const absent = await call(`/api/invoices/${MISSING}/${action}`, { method: 'POST', body });
        expect(foreign.status).toBe(404);
        expect(foreign.body.error!.code).toBe(absent.body.error!.code);
      }
      const { rows } = await db!.db.query("SELECT 1 FROM invoice_reviews WHERE invoice_id = $1 AND reviewed_by <> 'facteur'", [
        theirs!.invoiceId,
      ]);
      expect(rows).toEqual([]);
    });
  }
});
