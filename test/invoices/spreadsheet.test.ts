// The round trip a user makes: the exported CSV opened by a real spreadsheet (LibreOffice Calc,
// headless, with the import options a French or an English user's Calc uses), saved as XLSX, and
// read back: amounts must have become numbers and dates dates, text must have stayed text (a
// formula in an invoice must not have run). CI installs LibreOffice (.ci/run); without it, and
// outside CI, the suite is skipped.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, type Db } from '../../src/db/index.ts';
import { exportRequestFrom } from '../../src/invoices/export.ts';
import { OwnedInvoices } from '../../src/invoices/owned.ts';
import { TWO_RATES, storePeriod, storeRow } from './support/exports.ts';

const run = promisify(execFile);
const soffice = await run('soffice', ['--version']).then(
  () => true,
  () => false,
);
if (!soffice && process.env.CI) throw new Error('LibreOffice (soffice) is not installed: .ci/run installs libreoffice-calc-nogui.');

/** LibreOffice's CSV import options: separator, quote, UTF-8 (76), from line 1, no column types, the locale. */
const FILTERS = { 'csv-fr': 'CSV:59,34,76,1,,1036', 'csv-en': 'CSV:44,34,76,1,,1033' } as const;

describe.skipIf(!soffice)('the CSV opened by LibreOffice Calc', () => {
  let db: Db;
  let folder: string;
  beforeAll(async () => {
    db = await connect();
    await migrate(db);
    await storePeriod(db);
    await storeRow(db, { content: { ...TWO_RATES, fields: { ...TWO_RATES.fields, 'BT-1': 'F-FORMULA', 'BT-27': '=1+1' } } });
    folder = mkdtempSync(join(tmpdir(), 'facteur-calc-'));
  });
  afterAll(async () => {
    await db?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function throughCalc(format: 'csv-fr' | 'csv-en'): Promise<ExcelJS.Worksheet> {
    const file = await new OwnedInvoices(db, 'local').export(
      exportRequestFrom({ from: '2026-11-01', to: '2026-11-30', format }, new Date()),
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of file.chunks) chunks.push(chunk);
    const csv = join(folder, `${format}.csv`);
    writeFileSync(csv, Buffer.concat(chunks));
    // A profile of its own: two Calcs sharing one refuse to start.
    await run(
      'soffice',
      [
        `-env:UserInstallation=file://${folder}/profile`,
        '--headless',
        `--infilter=${FILTERS[format]}`,
        '--convert-to',
        'xlsx',
        '--outdir',
        folder,
        csv,
      ],
      { timeout: 120_000 },
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(join(folder, `${format}.xlsx`)) as unknown as ArrayBuffer);
    return workbook.worksheets[0]!;
  }

  const rowOf = (sheet: ExcelJS.Worksheet, number: string) => {
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((row) => {
      if (row.getCell(2).value === number) found = row;
    });
    return (name: string) => found!.getCell(header.indexOf(name) + 1).value;
  };

  it('reads the French CSV’s amounts as numbers and its dates as dates, and runs no formula', { timeout: 180_000 }, async () => {
    const sheet = await throughCalc('csv-fr');
    const credit = rowOf(sheet, 'AV-1');
    expect(credit('Total TTC')).toBe(-120);
    expect(credit('HT 20 %')).toBe(-100);
    expect(credit('Type')).toBe('Avoir');
    expect(credit('Date de facture')).toEqual(new Date('2026-11-05T00:00:00Z'));
    expect(credit('Approuvée le')).toEqual(new Date('2026-12-01T00:00:00Z'));
    const twoRates = rowOf(sheet, 'F-TWO-RATES');
    expect([twoRates('HT 5,5 %'), twoRates('TVA 5,5 %'), twoRates('Total TTC')]).toEqual([60, 3.3, 1455.3]);
    // The SIREN stays text as written (a number would lose nothing here, but a leading zero would).
    expect(String(twoRates('SIREN'))).toBe('123456782');
    expect(rowOf(sheet, 'F-FORMULA')('Fournisseur')).toBe("'=1+1");
  });

  it('reads the English CSV the same way in an English Calc', { timeout: 180_000 }, async () => {
    const sheet = await throughCalc('csv-en');
    const dollars = rowOf(sheet, 'US-99');
    expect([dollars('Total gross'), dollars('Currency'), dollars('Invoice date')]).toEqual([1200, 'USD', new Date('2026-11-20T00:00:00Z')]);
  });
});
