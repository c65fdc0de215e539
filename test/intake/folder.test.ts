// The watched folder on both engines, with real files in a temporary folder: what is taken, what
// is refused and why, what waits, and a crash between the commit and the move.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROCESSED, REFUSED, WatchedFolder } from '../../src/intake/folder.ts';
import { invoiceStatus } from '../../src/invoices/reads.ts';
import { createLogger } from '../../src/logger.ts';
import { Queue } from '../../src/queue/queue.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii, writeUbl } from '../einvoice/support/writer.ts';
import { type TestDb, testDatabases } from '../support/databases.ts';

const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

class Crash extends Error {}

interface Row {
  id: string;
  file_name: string;
  source: string;
  source_details: Record<string, string>;
  sha256: string;
}

describe.each(testDatabases())('the watched folder on $name', (database) => {
  let test: TestDb;
  let dir: string;
  const logger = createLogger('silent');

  beforeEach(async () => {
    test = await database.open();
    dir = mkdtempSync(join(tmpdir(), 'facteur-folder-'));
  });
  afterEach(async () => {
    await test.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const folder = (afterCommit?: (file: string) => void) =>
    new WatchedFolder(
      { db: test.db, queue: new Queue(test.db), logger },
      { dir, owner: 'acme', maxBytes: 100_000, settleMs: 0 },
      afterCommit,
    );
  const invoices = async () =>
    (await test.db.query<Row>('SELECT id, file_name, source, source_details, sha256 FROM invoices ORDER BY file_name, created_at')).rows;
  const jobs = async () => (await new Queue(test.db).stats()).pending;
  const listing = (sub = '') => readdirSync(join(dir, sub)).sort();

  it('takes the settled invoice files once, refuses the others with a reason, and skips what is being written', async () => {
    const invoice = sampleInvoice();
    writeFileSync(join(dir, 'a.xml'), writeCii(invoice));
    writeFileSync(join(dir, 'b.xml'), writeUbl({ ...invoice, fields: { ...invoice.fields, 'BT-1': 'OTHER-1' } }));
    writeFileSync(join(dir, 'scan.pdf'), PDF);
    writeFileSync(join(dir, 'notes.txt'), 'not an invoice');
    writeFileSync(join(dir, 'empty.pdf'), '');
    writeFileSync(join(dir, 'big.pdf'), PDF.padEnd(100_001, ' '));
    for (const hidden of ['.DS_Store', 'c.xml~', 'd.pdf.part', 'e.xml.tmp']) writeFileSync(join(dir, hidden), PDF);
    const watched = folder();
    await watched.open();

    const first = await watched.scan();
    expect(first).toEqual({ taken: [], refused: [], waiting: 6 });
    const second = await watched.scan();
    expect(second.taken.map((t) => t.file)).toEqual(['a.xml', 'b.xml', 'scan.pdf']);
    expect(second.refused).toEqual([
      { file: 'big.pdf', code: 'FILE_TOO_LARGE' },
      { file: 'empty.pdf', code: 'EMPTY_FILE' },
      { file: 'notes.txt', code: 'UNSUPPORTED_MEDIA_TYPE' },
    ]);
    expect(await watched.scan()).toEqual({ taken: [], refused: [], waiting: 0 });

    const rows = await invoices();
    expect(rows.map((r) => [r.file_name, r.source, r.source_details])).toEqual([
      ['a.xml', 'folder', { folder: watched.dir }],
      ['b.xml', 'folder', { folder: watched.dir }],
      ['scan.pdf', 'folder', { folder: watched.dir }],
    ]);
    expect(await jobs()).toBe(3);
    const status = await invoiceStatus(test.db, 'acme', rows[0]!.id);
    expect(status!.invoice.source).toEqual({ kind: 'folder', details: { folder: watched.dir } });
    expect(listing()).toEqual(['.DS_Store', 'c.xml~', 'd.pdf.part', 'e.xml.tmp', PROCESSED, REFUSED]);
    expect(listing(PROCESSED)).toEqual(['a.xml', 'b.xml', 'scan.pdf']);
    expect(listing(REFUSED)).toEqual([
      'big.pdf',
      'big.pdf.reason.txt',
      'empty.pdf',
      'empty.pdf.reason.txt',
      'notes.txt',
      'notes.txt.reason.txt',
    ]);
    expect(readFileSync(join(dir, REFUSED, 'notes.txt.reason.txt'), 'utf8')).toBe(
      'UNSUPPORTED_MEDIA_TYPE\nnotes.txt is not a PDF, an XML invoice or an image (PNG, JPEG, TIFF, WebP).\n',
    );
  });

  it('waits while a file keeps changing, and takes it once it stops', async () => {
    const xml = writeCii(sampleInvoice());
    const path = join(dir, 'slow.xml');
    writeFileSync(path, xml.slice(0, 100));
    const watched = folder();
    await watched.open();
    expect((await watched.scan()).waiting).toBe(1);
    appendFileSync(path, xml.slice(100, 500));
    expect(await watched.scan()).toEqual({ taken: [], refused: [], waiting: 1 });
    appendFileSync(path, xml.slice(500));
    expect(await watched.scan()).toEqual({ taken: [], refused: [], waiting: 1 });
    const report = await watched.scan();
    expect(report.taken.map((t) => t.file)).toEqual(['slow.xml']);
    const [row] = await invoices();
    expect(readFileSync(join(dir, PROCESSED, 'slow.xml'), 'utf8')).toBe(xml);
    expect(
      (await test.db.query<{ size_bytes: number }>('SELECT size_bytes FROM invoices WHERE id = $1', [row!.id])).rows[0]!.size_bytes,
    ).toBe(Buffer.byteLength(xml));
  });

  it('waits for the settle time once a file has stopped changing', async () => {
    writeFileSync(join(dir, 'a.xml'), writeCii(sampleInvoice()));
    const watched = new WatchedFolder(
      { db: test.db, queue: new Queue(test.db), logger },
      { dir, owner: 'acme', maxBytes: 100_000, settleMs: 60_000 },
    );
    await watched.open();
    await watched.scan();
    expect(await watched.scan()).toEqual({ taken: [], refused: [], waiting: 1 });
    expect(await invoices()).toEqual([]);
  });

  it('after a crash between the commit and the move, a restart moves the file without a second invoice', async () => {
    writeFileSync(join(dir, 'a.xml'), writeCii(sampleInvoice()));
    const crashing = folder(() => {
      throw new Crash('killed after the commit');
    });
    await crashing.open();
    await crashing.scan();
    const crashed = await crashing.scan();
    expect(crashed.taken).toEqual([]);
    expect(listing()).toContain('a.xml');
    const [committed] = await invoices();
    expect(committed).toMatchObject({ file_name: 'a.xml', source: 'folder' });

    const restarted = folder();
    await restarted.scan();
    const report = await restarted.scan();
    expect(report.taken).toEqual([{ file: 'a.xml', invoiceId: committed!.id, again: true }]);
    expect(await invoices()).toHaveLength(1);
    expect(await jobs()).toBe(1);
    expect(listing(PROCESSED)).toEqual(['a.xml']);
  });

  it('takes a file dropped again with the same name and bytes as a new arrival, marked as a duplicate, under a free name', async () => {
    const xml = writeCii(sampleInvoice());
    const watched = folder();
    await watched.open();
    writeFileSync(join(dir, 'a.xml'), xml);
    await watched.scan();
    const [first] = (await watched.scan()).taken;
    // The same file copied in again, and then the processed one moved back in by hand.
    writeFileSync(join(dir, 'a.xml'), xml);
    await watched.scan();
    const [second] = (await watched.scan()).taken;
    renameSync(join(dir, PROCESSED, 'a.xml'), join(dir, 'a.xml'));
    await watched.scan();
    const [third] = (await watched.scan()).taken;

    expect(second).toMatchObject({ file: 'a.xml', again: false, duplicateOf: first!.invoiceId });
    expect(third).toMatchObject({ file: 'a.xml', again: false, duplicateOf: first!.invoiceId });
    expect(new Set([first!.invoiceId, second!.invoiceId, third!.invoiceId]).size).toBe(3);
    expect(await invoices()).toHaveLength(3);
    expect(listing(PROCESSED)).toEqual(['a-1.xml', 'a.xml']);
  });
});
