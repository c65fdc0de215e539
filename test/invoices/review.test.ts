// The review state of an invoice: derived when its extraction is stored (to_review with reasons, or
// ready), then moved by a person, each move guarded by the state and version the person saw and
// recorded in the trail in the same statement.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { extractInvoice } from '../../src/einvoice/index.ts';
import { OwnedInvoices } from '../../src/invoices/owned.ts';
import { deriveReview, saveExtraction } from '../../src/invoices/review.ts';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { resetTables, testDatabases, type TestDb } from '../support/databases.ts';
import { sampleInvoice, sampleWithWrongTotal as wrongTotal } from '../einvoice/support/sample.ts';
import { writeCii, type InvoiceContent } from '../einvoice/support/writer.ts';

const ciiBytes = (invoice: InvoiceContent) => new TextEncoder().encode(writeCii(invoice));

describe.each(testDatabases())('the review state on $name', (database) => {
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

  /** Stores the CII as `owner` and saves its extraction as the process_invoice task does. */
  const extracted = async (invoice: InvoiceContent, owner = 'local') => {
    const bytes = ciiBytes(invoice);
    const [stored] = await storeInvoices(db, queue, owner, [acceptFile('invoice.xml', bytes, 2 ** 20)], {
      source: { kind: 'api', details: {} },
    });
    const result = await extractInvoice(bytes);
    await db.transaction((tx) => saveExtraction(tx, stored!.invoiceId, result));
    return stored!.invoiceId;
  };

  it('makes a clean CII ready, with a derived entry in the trail and a new version', async () => {
    const id = await extracted(sampleInvoice());
    const detail = await invoices.detail(id);
    expect(detail.review).toEqual({ state: 'ready', reasons: [], by: null, at: null, reason: null });
    expect(detail.version).toBe(2);
    expect(detail.reviewHistory).toEqual([{ from: null, to: 'ready', by: 'facteur', at: expect.any(String), reason: null }]);
  });

  it('puts an invoice with an error finding to review, naming the rules', async () => {
    const id = await extracted(wrongTotal());
    const { review } = await invoices.status(id);
    expect(review.state).toBe('to_review');
    expect(review.reasons).toContainEqual({ code: 'ERRORS', rules: expect.arrayContaining(['BR-CO-15']) });
  });

  it('puts a second upload of the same bytes to review as a DUPLICATE of the first', async () => {
    const first = await extracted(sampleInvoice());
    const second = await extracted(sampleInvoice());
    expect((await invoices.status(first)).review.state).toBe('ready');
    expect((await invoices.status(second)).review).toMatchObject({
      state: 'to_review',
      reasons: [{ code: 'DUPLICATE', duplicateOf: first }],
    });
  });

  it('flags probable duplicates: the same supplier and number, or the same supplier, date and total, in other bytes', async () => {
    const first = await extracted(sampleInvoice());
    const sameNumber = sampleInvoice();
    sameNumber.fields['BT-22'] = 'sent again';
    sameNumber.fields['BT-2'] = '2026-01-31';
    const again = await extracted(sameNumber);
    const sameTotal = sampleInvoice();
    sameTotal.fields['BT-1'] = 'OTHER-NUMBER';
    const total = await extracted(sameTotal);
    const other = sampleInvoice();
    other.fields['BT-1'] = 'NEW-1';
    other.fields['BT-2'] = '2026-02-01';
    const fresh = await extracted(other);
    expect((await invoices.status(again)).review.reasons).toContainEqual({ code: 'DUPLICATE', duplicateOf: first, match: 'number' });
    expect((await invoices.status(total)).review.reasons).toContainEqual({ code: 'DUPLICATE', duplicateOf: first, match: 'date_total' });
    expect((await invoices.status(fresh)).review.reasons.filter((r) => r.code === 'DUPLICATE')).toEqual([]);
    // The same bytes are named as such, found once at upload.
    expect((await invoices.status(await extracted(sampleInvoice()))).review.reasons).toContainEqual({
      code: 'DUPLICATE',
      duplicateOf: first,
      match: 'file',
    });
  });

  it('names low-confidence key fields and an unknown currency', async () => {
    const invoice = await extractInvoice(ciiBytes(sampleInvoice()));
    invoice.confidence = { 'BT-27': 0.5, 'BT-1': 0.95, 'BT-22': 0.1 };
    invoice.fields['BT-5'] = 'XYZ';
    expect(deriveReview(invoice, null)).toEqual({
      state: 'to_review',
      reasons: [
        { code: 'LOW_CONFIDENCE', terms: ['BT-27'] },
        { code: 'UNKNOWN_CURRENCY', terms: ['BT-5'], value: 'XYZ' },
      ],
    });
  });

  it('approves, reopens and rejects, each guarded by the version, each in the trail', async () => {
    const id = await extracted(wrongTotal());
    await invoices.review(id, 'approve', { by: 'alice', version: 2 });
    expect(await invoices.status(id)).toMatchObject({ version: 3, review: { state: 'approved', by: 'alice', at: expect.any(String) } });

    await expect(invoices.review(id, 'reopen', { by: 'bob', version: 2 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(invoices.review(id, 'approve', { by: 'bob', version: 3 })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(invoices.review(id, 'reject', { by: 'bob', reason: 'non' })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect((await invoices.status(id)).version).toBe(3);

    await invoices.review(id, 'reopen', { by: 'bob', version: 3 });
    await invoices.review(id, 'reject', { by: 'bob', reason: 'Commande annulée' });
    const detail = await invoices.detail(id);
    expect(detail).toMatchObject({ version: 5, review: { state: 'rejected', by: 'bob', reason: 'Commande annulée' } });
    expect(detail.reviewHistory.map(({ from, to, by, reason }) => ({ from, to, by, reason }))).toEqual([
      { from: null, to: 'to_review', by: 'facteur', reason: null },
      { from: 'to_review', to: 'approved', by: 'alice', reason: null },
      { from: 'approved', to: 'to_review', by: 'bob', reason: null },
      { from: 'to_review', to: 'rejected', by: 'bob', reason: 'Commande annulée' },
    ]);
  });

  it('lets only one of two people acting on the same version move the invoice', async () => {
    const id = await extracted(sampleInvoice());
    const outcomes = await Promise.allSettled([
      invoices.review(id, 'approve', { by: 'alice', version: 2 }),
      invoices.review(id, 'reject', { by: 'bob', version: 2, reason: 'doublon' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({
      reason: { code: expect.stringMatching(/^(VERSION_CONFLICT|INVALID_TRANSITION)$/) },
    });
    expect((await invoices.detail(id)).reviewHistory).toHaveLength(2);
  });

  it('refuses a decision before the extraction, and keeps a decision when the invoice is read again', async () => {
    const bytes = ciiBytes(sampleInvoice());
    const [stored] = await storeInvoices(db, queue, 'local', [acceptFile('a.xml', bytes, 2 ** 20)], {
      source: { kind: 'api', details: {} },
    });
    const id = stored!.invoiceId;
    expect((await invoices.status(id)).review.state).toBeNull();
    await expect(invoices.review(id, 'approve', { by: 'alice' })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });

    const result = await extractInvoice(bytes);
    await db.transaction((tx) => saveExtraction(tx, id, result));
    await invoices.review(id, 'approve', { by: 'alice' });
    await db.transaction((tx) => saveExtraction(tx, id, result));
    expect(await invoices.status(id)).toMatchObject({ version: 4, review: { state: 'approved', by: 'alice' } });
    expect((await invoices.detail(id)).reviewHistory).toHaveLength(2);
  });

  it("answers another owner's invoice as missing, changes nothing, and filters the list by review state", async () => {
    const mine = await extracted(sampleInvoice());
    const theirs = await extracted(wrongTotal(), 'someone-else');
    await expect(invoices.review(theirs, 'approve', { by: 'local' })).rejects.toMatchObject({ code: 'INVOICE_NOT_FOUND' });
    expect((await new OwnedInvoices(db, 'someone-else').status(theirs)).review.state).toBe('to_review');

    const ready = await invoices.list({ review: 'ready', limit: 10 });
    expect(ready.invoices.map((i) => i.invoiceId)).toEqual([mine]);
    expect((await invoices.list({ review: 'to_review', limit: 10 })).invoices).toEqual([]);
  });
});
