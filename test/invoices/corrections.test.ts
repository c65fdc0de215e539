// Corrections as an overlay and soft deletion, on PGlite and the server: the extraction stays as
// read, each change is recorded with who and when, the findings and the review state follow the
// corrected invoice, a stale version or a decided invoice stores nothing; a deleted invoice is
// hidden, restorable, not read by a pending job, and purged after the retention with its trail.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { extractInvoice, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { applyCorrections, correctionTarget } from '../../src/invoices/corrections.ts';
import { fieldChangesFrom } from '../../src/invoices/correct.ts';
import { purgeDeleted } from '../../src/invoices/deletion.ts';
import { exportPages, exportRequestFrom } from '../../src/invoices/export.ts';
import { processInvoiceTask } from '../../src/invoices/handler.ts';
import { OwnedInvoices } from '../../src/invoices/owned.ts';
import { saveExtraction } from '../../src/invoices/review.ts';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import type { ClaimedJob } from '../../src/queue/index.ts';
import { resetTables, testDatabases, type TestDb } from '../support/databases.ts';
import { sampleInvoice, sampleWithWrongTotal as wrongTotal } from '../einvoice/support/sample.ts';
import { writeCii, type InvoiceContent } from '../einvoice/support/writer.ts';

const RIGHT_TOTAL = sampleInvoice().fields['BT-112']!;

const ciiBytes = (invoice: InvoiceContent) => new TextEncoder().encode(writeCii(invoice));

describe('applyCorrections', () => {
  it('applies in order, removes with null, marks corrected header terms sure, and leaves the extraction alone', async () => {
    const extracted = await extractInvoice(ciiBytes(wrongTotal()));
    const before = structuredClone(extracted);
    expect(extracted.validation.map((f) => f.rule)).toContain('BR-CO-15');
    const corrected = applyCorrections(extracted, [
      { term: 'BT-112', to: '1.00' },
      { term: 'BT-112', to: RIGHT_TOTAL },
      { term: 'BT-13', to: null },
      { term: 'BG-25[0].BT-153', to: 'Farine T65' },
      { term: 'BG-25[99].BT-153', to: 'a line the invoice does not have' },
    ]);
    expect(extracted).toEqual(before);
    expect(corrected.fields['BT-112']).toBe(RIGHT_TOTAL);
    expect(corrected.fields['BT-13']).toBeUndefined();
    expect(corrected.lines[0]!['BT-153']).toBe('Farine T65');
    expect(corrected.lines).toHaveLength(extracted.lines.length);
    expect(corrected.confidence['BT-112']).toBe(1);
    expect(corrected.validation.map((f) => f.rule)).not.toContain('BR-CO-15');
  });

  it('re-validates with the extraction’s rules: a wrong correction brings its error', async () => {
    const extracted = await extractInvoice(ciiBytes(sampleInvoice()));
    const corrected = applyCorrections(extracted, [{ term: 'BT-110', to: '1.00' }]);
    expect(corrected.validation.filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual(expect.arrayContaining(['BR-CO-15']));
  });

  it('knows where each term may be corrected', () => {
    expect(correctionTarget('BT-27')).toEqual({ group: null, term: 'BT-27' });
    expect(correctionTarget('BG-23[1].BT-117')).toEqual({ group: 'BG-23', index: 1, term: 'BT-117' });
    expect(correctionTarget('BT-116')).toBeUndefined();
    expect(correctionTarget('BG-23[0].BT-131')).toBeUndefined();
    expect(correctionTarget('BG-25[0].BT-27')).toBeUndefined();
    expect(correctionTarget('BT-22')).toBeUndefined();
    expect(correctionTarget('BT-9999')).toBeUndefined();
  });
});

describe.each(testDatabases())('corrections and deletion on $name', (database) => {
  let test: TestDb;
  let db: Db;
  let queue: Queue;
  let invoices: OwnedInvoices;

  beforeAll(async () => {
    test = await database.open();
    db = test.db;
    queue = new Queue(db);
    invoices = new OwnedInvoices(db, 'local');
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await resetTables(db);
  });

  const stored = async (invoice: InvoiceContent, owner = 'local') => {
    const [row] = await storeInvoices(db, queue, owner, [acceptFile('invoice.xml', ciiBytes(invoice), 2 ** 20)], {
      source: { kind: 'api', details: {} },
    });
    return row!.invoiceId;
  };
  const extracted = async (invoice: InvoiceContent, owner = 'local') => {
    const id = await stored(invoice, owner);
    const result = await extractInvoice(ciiBytes(invoice));
    await db.transaction((tx) => saveExtraction(tx, id, result));
    return id;
  };
  const rows = async (table: string, id: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE invoice_id = $1`, [id])).rows[0]!.n;
  const original = async (id: string) =>
    (await db.query<{ extracted: NormalisedInvoice }>('SELECT extracted FROM invoices WHERE id = $1', [id])).rows[0]!.extracted;

  it('fixes the only error: the invoice becomes ready, the change and the move are recorded, the extraction is kept', async () => {
    const id = await extracted(wrongTotal());
    const before = await invoices.detail(id);
    expect(before.review.state).toBe('to_review');
    await invoices.correct(id, fieldChangesFrom({ 'BT-112': RIGHT_TOTAL.replace('.', ','), 'BT-27': 'Au bon moulin' }), {
      version: before.version,
      by: 'alice',
    });
    const after = await invoices.detail(id);
    expect(after.version).toBe(before.version + 1);
    expect(after.review).toMatchObject({ state: 'ready', reasons: [] });
    expect(after.extracted?.fields).toMatchObject({ 'BT-112': RIGHT_TOTAL, 'BT-27': 'Au bon moulin' });
    expect(after.extracted?.validation.filter((f) => f.severity === 'error')).toEqual([]);
    expect(after.invoice).toMatchObject({ totalWithVat: RIGHT_TOTAL, seller: 'Au bon moulin', errors: 0 });
    expect(after.corrections).toEqual([
      { term: 'BT-112', from: before.extracted!.fields['BT-112'], to: RIGHT_TOTAL, by: 'alice', at: expect.any(String) },
      { term: 'BT-27', from: 'ATELIER DU FACTEUR SAS', to: 'Au bon moulin', by: 'alice', at: expect.any(String) },
    ]);
    expect(after.reviewHistory.at(-1)).toMatchObject({ from: 'to_review', to: 'ready', by: 'alice' });
    expect((await original(id)).fields['BT-112']).toBe(before.extracted!.fields['BT-112']);
    expect((await invoices.list({ search: 'bon moulin', limit: 10 })).invoices.map((i) => i.invoiceId)).toEqual([id]);
  });

  it('stores nothing on a stale version, on a decided invoice, or for a row the invoice does not have', async () => {
    const id = await extracted(wrongTotal());
    const { version } = await invoices.status(id);
    const changes = fieldChangesFrom({ 'BT-112': RIGHT_TOTAL });
    await expect(invoices.correct(id, changes, { version: version - 1, by: 'bob' })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(invoices.correct(id, fieldChangesFrom({ 'BG-25[40].BT-153': 'x' }), { version, by: 'bob' })).rejects.toMatchObject({
      code: 'INVALID_FIELD',
    });
    await invoices.review(id, 'approve', { by: 'alice', version });
    await expect(invoices.correct(id, changes, { version: version + 1, by: 'bob' })).rejects.toMatchObject({ code: 'NOT_EDITABLE' });
    await expect(invoices.correct(id, changes, { version: 1, by: 'bob' })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await rows('invoice_corrections', id)).toBe(0);
    expect((await invoices.status(id)).version).toBe(version + 1);
  });

  it('lets only one of two saves from the same version through', async () => {
    const id = await extracted(wrongTotal());
    const { version } = await invoices.status(id);
    const outcomes = await Promise.allSettled([
      invoices.correct(id, fieldChangesFrom({ 'BT-27': 'Alice SARL' }), { version, by: 'alice' }),
      invoices.correct(id, fieldChangesFrom({ 'BT-27': 'Bob SAS' }), { version, by: 'bob' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'VERSION_CONFLICT' } });
    expect(await rows('invoice_corrections', id)).toBe(1);
  });

  it('keeps the corrections when the invoice is read again', async () => {
    const id = await extracted(wrongTotal());
    await invoices.correct(id, fieldChangesFrom({ 'BT-112': RIGHT_TOTAL }), { version: (await invoices.status(id)).version, by: 'alice' });
    await db.transaction(async (tx) => saveExtraction(tx, id, await extractInvoice(ciiBytes(wrongTotal()))));
    const detail = await invoices.detail(id);
    expect(detail.extracted?.fields['BT-112']).toBe(RIGHT_TOTAL);
    expect(detail.review.state).toBe('ready');
  });

  it('hides a deleted invoice, restores it, and records both; another owner cannot do either', async () => {
    const id = await extracted(sampleInvoice());
    const other = new OwnedInvoices(db, 'someone-else');
    await expect(other.setDeleted(id, true, { by: 'someone-else' })).rejects.toMatchObject({ code: 'INVOICE_NOT_FOUND' });

    await invoices.setDeleted(id, true, { by: 'alice' });
    expect((await invoices.list({ limit: 10 })).invoices).toEqual([]);
    expect(await invoices.detail(id)).toMatchObject({ deleted: { by: 'alice', at: expect.any(String) } });
    await expect(invoices.setDeleted(id, true, { by: 'alice' })).rejects.toMatchObject({ code: 'ALREADY_DELETED' });
    const { version } = await invoices.status(id);
    await expect(invoices.correct(id, fieldChangesFrom({ 'BT-27': 'x' }), { version, by: 'alice' })).rejects.toMatchObject({
      code: 'INVOICE_DELETED',
    });

    await expect(invoices.setDeleted(id, false, { by: 'alice', version: version - 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await invoices.setDeleted(id, false, { by: 'alice', version });
    await expect(invoices.setDeleted(id, false, { by: 'alice' })).rejects.toMatchObject({ code: 'NOT_DELETED' });
    expect((await invoices.list({ limit: 10 })).invoices.map((i) => i.invoiceId)).toEqual([id]);
    const audit = await db.query<{ action: string; actor: string }>(
      'SELECT action, actor FROM invoice_audit WHERE invoice_id = $1 ORDER BY id',
      [id],
    );
    expect(audit.rows).toEqual([
      { action: 'delete', actor: 'alice' },
      { action: 'restore', actor: 'alice' },
    ]);
  });

  it('exports the corrected values and leaves deleted invoices out, of the export and of the duplicates', async () => {
    const kept = await extracted(sampleInvoice());
    await invoices.correct(kept, fieldChangesFrom({ 'BT-27': 'Au bon moulin' }), {
      version: (await invoices.status(kept)).version,
      by: 'alice',
    });
    const gone = await extracted(wrongTotal());
    await invoices.setDeleted(gone, true, { by: 'alice' });
    const thisMonth = exportRequestFrom({ date: 'received', review: 'to_review,ready,approved,rejected' }, new Date());
    const rows = [];
    for await (const page of exportPages(db, 'local', thisMonth)) rows.push(...page);
    expect(rows.map((row) => row.invoice.fields['BT-27'])).toEqual(['Au bon moulin']);

    // The same bytes as the deleted one: not its duplicate (it is gone), though still a probable
    // duplicate of the kept invoice, the same supplier's with the same number.
    const again = await extracted(wrongTotal());
    const duplicate = (await invoices.status(again)).review.reasons.find((r) => r.code === 'DUPLICATE');
    expect(duplicate).toMatchObject({ duplicateOf: kept, match: 'number' });
  });

  it('does not read an invoice deleted before its job ran', async () => {
    const id = await stored(sampleInvoice());
    await invoices.setDeleted(id, true, { by: 'alice' });
    const handler = processInvoiceTask(db);
    const context = { job: { invoiceId: id } as ClaimedJob, signal: new AbortController().signal, db } as Parameters<typeof handler>[1];
    await expect(handler({}, context)).rejects.toMatchObject({ code: 'INVOICE_DELETED' });
  });

  it('purges the invoices deleted before the retention, with their file, jobs and trail, and says so in the audit', async () => {
    const old = await extracted(sampleInvoice());
    const recent = await extracted(wrongTotal());
    const kept = await extracted(sampleInvoice(), 'someone-else');
    await invoices.setDeleted(old, true, { by: 'alice' });
    await invoices.setDeleted(recent, true, { by: 'alice' });
    await db.query("UPDATE invoices SET deleted_at = now() - interval '31 days' WHERE id = $1", [old]);

    expect(await purgeDeleted(db, 30)).toBe(1);
    expect(await rows('invoice_files', old)).toBe(0);
    expect((await db.query('SELECT 1 FROM invoices WHERE id = ANY($1::uuid[])', [[recent, kept]])).rowCount).toBe(2);
    const audit = await db.query<{ action: string; actor: string }>(
      'SELECT action, actor FROM invoice_audit WHERE invoice_id = $1 ORDER BY id',
      [old],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['delete', 'purge']);
    expect(await purgeDeleted(db, 0)).toBe(1);
  });
});
