// Corrections and soft deletion through the real server and socket: PATCH /api/invoices/{id}/fields
// (200 with the re-validated invoice and its review state re-derived, 409 on a stale version or a
// decided invoice, 400 with a code on a bad value; nothing stored on a refusal), the corrected
// values in the list and the export while the original file is unchanged; DELETE, restore, purge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDeleted } from '../../src/invoices/deletion.ts';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import type { InvoiceDetail, InvoicePage } from '../../src/invoices/views.ts';
import { Queue } from '../../src/queue/queue.ts';
import type { TestDb } from '../support/databases.ts';
import { type RunningServer, serverBackends, startServer } from '../support/server.ts';
import { invoiceApi } from '../support/invoice-api.ts';
import { sampleInvoice, sampleWithWrongTotal } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';

const RIGHT_TOTAL = sampleInvoice().fields['BT-112']!;

let sequence = 0;
/** A distinct CII each call (no duplicate), its total with VAT wrong by a cent when asked. */
function cii(options: { wrongTotal?: boolean } = {}): Uint8Array {
  const invoice = options.wrongTotal ? sampleWithWrongTotal() : sampleInvoice();
  sequence += 1;
  invoice.fields['BT-1'] = `CORR-${Date.now()}-${sequence}`;
  return new TextEncoder().encode(writeCii(invoice));
}

describe.each(serverBackends())('corrections and deletion over HTTP on $name', (backend) => {
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

  const patch = (invoice: InvoiceDetail, body: unknown) => call(`/api/invoices/${invoice.invoiceId}/fields`, { method: 'PATCH', body });

  it('saves corrections: the invoice is re-validated, becomes ready, lists them, and books them; the file stays as sent', async () => {
    const bytes = cii({ wrongTotal: true });
    const invoice = await uploaded(bytes);
    expect(invoice.review.state).toBe('to_review');
    expect(invoice.corrections).toEqual([]);
    const wrong = invoice.extracted!.fields['BT-112'];

    const saved = await patch(invoice, {
      fields: { 'BT-112': RIGHT_TOTAL.replace(/^(\d)(\d{3})\./, '$1 $2,'), 'BT-27': 'Au bon moulin', 'BG-25[0].BT-153': 'Farine T65' },
      version: invoice.version,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      version: invoice.version + 1,
      review: { state: 'ready', reasons: [] },
      invoice: { seller: 'Au bon moulin', totalWithVat: RIGHT_TOTAL, errors: 0 },
    });
    expect(saved.body.extracted!.fields).toMatchObject({ 'BT-112': RIGHT_TOTAL, 'BT-27': 'Au bon moulin' });
    expect(saved.body.extracted!.lines[0]!['BT-153']).toBe('Farine T65');
    expect(saved.body.extracted!.validation.map((f) => f.rule)).not.toContain('BR-CO-15');
    expect(saved.body.corrections.map(({ term, from, to, by }) => ({ term, from, to, by }))).toEqual([
      { term: 'BT-112', from: wrong, to: RIGHT_TOTAL, by: 'local' },
      { term: 'BT-27', from: 'ATELIER DU FACTEUR SAS', to: 'Au bon moulin', by: 'local' },
      { term: 'BG-25[0].BT-153', from: invoice.extracted!.lines[0]!['BT-153'], to: 'Farine T65', by: 'local' },
    ]);
    expect(saved.body.reviewHistory.at(-1)).toMatchObject({ from: 'to_review', to: 'ready', by: 'local' });

    const listed = (await call<InvoicePage>('/api/invoices?q=bon%20moulin')).body.invoices;
    expect(listed.map((i) => [i.invoiceId, i.invoice.totalWithVat])).toEqual([[invoice.invoiceId, RIGHT_TOTAL]]);
    const exported = await fetch(`${app.url}/api/invoices/${invoice.invoiceId}/export?format=json`);
    expect(((await exported.json()) as { fields: Record<string, string> }).fields['BT-112']).toBe(RIGHT_TOTAL);
    const file = await fetch(`${app.url}/api/invoices/${invoice.invoiceId}/file`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);

    // The same values again change nothing and write nothing.
    const again = await patch(saved.body, { fields: { 'BT-27': 'Au bon moulin' }, version: saved.body.version });
    expect(again.body).toMatchObject({ version: saved.body.version, corrections: saved.body.corrections });
  });

  it('answers 409 on a stale version or a decided invoice, and 400 with a code on a bad value, storing nothing', async () => {
    const invoice = await uploaded(cii({ wrongTotal: true }));
    const refusals: Array<[unknown, number, string]> = [
      [{ fields: { 'BT-27': 'Alice SARL' }, version: invoice.version - 1 }, 409, 'VERSION_CONFLICT'],
      [{ fields: { 'BT-112': '12,345' }, version: invoice.version }, 400, 'INVALID_AMOUNT'],
      [{ fields: { 'BT-2': '31/02/2026' }, version: invoice.version }, 400, 'INVALID_DATE'],
      [{ fields: { 'BT-5': 'EURO' }, version: invoice.version }, 400, 'INVALID_CURRENCY'],
      [{ fields: { 'BT-47': '73282932000075' }, version: invoice.version }, 400, 'INVALID_SIRET'],
      [{ fields: { 'BT-31': 'FR00404833048' }, version: invoice.version }, 400, 'INVALID_VAT_NUMBER'],
      [{ fields: { 'BT-27': 'Ok', 'BT-112': 'beaucoup' }, version: invoice.version }, 400, 'INVALID_AMOUNT'],
      [{ fields: { 'BG-23[0].BT-27': 'x' }, version: invoice.version }, 400, 'INVALID_FIELD'],
      [{ fields: { 'BG-25[50].BT-153': 'x' }, version: invoice.version }, 400, 'INVALID_FIELD'],
      [{ fields: { 'BT-27': 42 }, version: invoice.version }, 400, 'INVALID_FIELD'],
      [{ fields: {}, version: invoice.version }, 400, 'INVALID_FIELDS'],
      [{ fields: { 'BT-27': 'x' } }, 400, 'VERSION_REQUIRED'],
    ];
    for (const [body, status, code] of refusals) {
      const answer = await patch(invoice, body);
      expect({ body, status: answer.status, code: answer.body.error?.code }).toEqual({ body, status, code });
      expect(answer.body.error!.message).toMatch(/\w+ \w+/);
    }
    const unchanged = (await call(`/api/invoices/${invoice.invoiceId}`)).body;
    expect(unchanged).toMatchObject({ version: invoice.version, corrections: [], review: { state: 'to_review' } });

    const approved = await call(`/api/invoices/${invoice.invoiceId}/approve`, { method: 'POST', body: { version: invoice.version } });
    const decided = await patch(invoice, { fields: { 'BT-27': 'x' }, version: approved.body.version });
    expect(decided).toMatchObject({ status: 409, body: { error: { code: 'NOT_EDITABLE' } } });
    const reopened = await call(`/api/invoices/${invoice.invoiceId}/reopen`, { method: 'POST' });
    expect((await patch(invoice, { fields: { 'BT-112': RIGHT_TOTAL }, version: reopened.body.version })).body.review.state).toBe('ready');
  });

  it('deletes softly, hides, refuses corrections while deleted, restores, and records both', async () => {
    const invoice = await uploaded(cii());
    const path = `/api/invoices/${invoice.invoiceId}`;
    expect(await call(path, { method: 'DELETE', body: { version: invoice.version - 1 } })).toMatchObject({
      status: 409,
      body: { error: { code: 'VERSION_CONFLICT' } },
    });
    const deleted = await call(path, { method: 'DELETE' });
    expect(deleted).toMatchObject({ status: 200, body: { deleted: { by: 'local', at: expect.any(String) } } });
    const ids = async () => (await call<InvoicePage>('/api/invoices?limit=100')).body.invoices.map((i) => i.invoiceId);
    expect(await ids()).not.toContain(invoice.invoiceId);
    expect((await call(path)).body.deleted).not.toBeNull();
    expect(await call(path, { method: 'DELETE' })).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_DELETED' } } });
    expect(await patch(invoice, { fields: { 'BT-27': 'x' }, version: deleted.body.version })).toMatchObject({
      status: 409,
      body: { error: { code: 'INVOICE_DELETED' } },
    });

    const restored = await call(`${path}/restore`, { method: 'POST', body: { version: deleted.body.version } });
    expect(restored).toMatchObject({ status: 200, body: { deleted: null, version: deleted.body.version + 1 } });
    expect(await ids()).toContain(invoice.invoiceId);
    expect(await call(`${path}/restore`, { method: 'POST' })).toMatchObject({ status: 409, body: { error: { code: 'NOT_DELETED' } } });
  });

  // A second connection beside the app exists only on the server (PGlite is the app's alone).
  if (backend.name === 'postgres') {
    it("answers another owner's invoice as missing, and purges what was deleted before the retention", async () => {
      const sql = db!.db;
      const [theirs] = await storeInvoices(sql, new Queue(sql), 'someone-else', [acceptFile('x.xml', cii(), 2 ** 20)], {
        source: { kind: 'api', details: {} },
      });
      for (const [method, suffix] of [
        ['DELETE', ''],
        ['POST', '/restore'],
        ['PATCH', '/fields'],
      ] as const) {
        const foreign = await call(`/api/invoices/${theirs!.invoiceId}${suffix}`, {
          method,
          body: { fields: { 'BT-27': 'x' }, version: 1 },
        });
        expect({ method, status: foreign.status, code: foreign.body.error?.code }).toEqual({
          method,
          status: 404,
          code: 'INVOICE_NOT_FOUND',
        });
      }

      const invoice = await uploaded(cii());
      await call(`/api/invoices/${invoice.invoiceId}`, { method: 'DELETE' });
      await sql.query("UPDATE invoices SET deleted_at = now() - interval '31 days' WHERE id = $1", [invoice.invoiceId]);
      expect(await purgeDeleted(sql, 30)).toBe(1);
      expect((await call(`/api/invoices/${invoice.invoiceId}`)).status).toBe(404);
      const audit = await sql.query<{ action: string }>('SELECT action FROM invoice_audit WHERE invoice_id = $1 ORDER BY id', [
        invoice.invoiceId,
      ]);
      expect(audit.rows.map((row) => row.action)).toEqual(['delete', 'purge']);
    });
  }
});
