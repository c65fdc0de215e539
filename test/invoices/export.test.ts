// The period exports, each format read back as its reader would: the CSV split as a spreadsheet
// splits it, the XLSX opened with exceljs, the FEC checked against article A47 A-1 (its columns,
// formats, balanced entries numbered in date order), the JSON parsed. On PGlite and the server.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { changeAccountingSettings, FEC_COLUMNS, readAccountingSettings } from '../../src/invoices/accounting.ts';
import { fieldChangesFrom } from '../../src/invoices/correct.ts';
import { exportPages, exportRequestFrom, type ExportRequest } from '../../src/invoices/export.ts';
import { OwnedInvoices } from '../../src/invoices/owned.ts';
import { resetTables, testDatabases, type TestDb } from '../support/databases.ts';
import { storePeriod } from './support/exports.ts';

const NOVEMBER = { from: '2026-11-01', to: '2026-11-30' };
const request = (params: Record<string, string>): ExportRequest =>
  exportRequestFrom({ ...NOVEMBER, ...params }, new Date('2026-12-06T12:00:00Z'));

async function read(invoices: OwnedInvoices, params: Record<string, string>): Promise<{ fileName: string; bytes: Buffer }> {
  const file = await invoices.export(request(params));
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.chunks) chunks.push(chunk);
  return { fileName: file.fileName, bytes: Buffer.concat(chunks) };
}

/** The CSV as rows of cells: no quoted cell in these fixtures holds a separator. */
const cells = (text: string, separator: string) =>
  text
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n')
    .map((row) => row.split(separator));

describe('the export request', () => {
  const now = new Date('2026-12-31T23:30:00Z');
  it('defaults to this month in France, approved invoices, by invoice date, French CSV', () => {
    expect(exportRequestFrom({}, now)).toEqual({
      from: '2027-01-01',
      to: '2027-01-31',
      date: 'invoice',
      review: ['approved'],
      suppliers: [],
      format: 'csv-fr',
      lang: 'fr',
    });
    expect(exportRequestFrom({ from: '2026-02-03' }, now)).toMatchObject({ from: '2026-02-03', to: '2026-02-03' });
    expect(exportRequestFrom({ review: 'approved,ready', supplier: 'fr 11 123456782, Cloud Inc' }, now)).toMatchObject({
      review: ['approved', 'ready'],
      suppliers: ['FR11123456782', 'CLOUDINC'],
    });
  });

  it.each([
    [{ from: '2026-02-30' }, 'INVALID_DATE'],
    [{ to: 'yesterday' }, 'INVALID_DATE'],
    [{ from: '2026-03-01', to: '2026-02-01' }, 'INVALID_PERIOD'],
    [{ from: '2020-01-01', to: '2026-01-01' }, 'INVALID_PERIOD'],
    [{ review: 'approved,done' }, 'INVALID_REVIEW_STATE'],
    [{ review: ',' }, 'INVALID_REVIEW_STATE'],
    [{ format: 'xls' }, 'INVALID_FORMAT'],
    [{ date: 'paid' }, 'INVALID_DATE_KIND'],
    [{ lang: 'de' }, 'INVALID_LANGUAGE'],
    [{ supplier: 'x'.repeat(201) }, 'INVALID_SUPPLIER'],
  ])('refuses %j with %s', (params, code) => {
    expect(() => exportRequestFrom(params, now)).toThrow(expect.objectContaining({ code }));
  });
});

describe.each(testDatabases())('the period exports on $name', (database) => {
  let test: TestDb;
  let db: Db;
  let invoices: OwnedInvoices;

  beforeAll(async () => {
    test = await database.open();
    db = test.db;
    invoices = new OwnedInvoices(db, 'local');
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await resetTables(db);
    await db.query('DELETE FROM export_settings');
    await storePeriod(db);
  });

  it('writes the French CSV: BOM, `;`, decimal comma, jj/mm/aaaa, French words, a credit note negative, HT/TVA per rate', async () => {
    const { fileName, bytes } = await read(invoices, {});
    expect(fileName).toBe('factures-2026-11-01_2026-11-30.csv');
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = cells(bytes.toString('utf8'), ';') as [string[], ...string[][]];
    expect(header).toEqual([
      'Type',
      'Numéro',
      'Date de facture',
      'Échéance',
      'Fournisseur',
      'SIREN',
      'N° TVA',
      'Devise',
      'HT 5,5 %',
      'TVA 5,5 %',
      'HT 20 %',
      'TVA 20 %',
      'HT autoliquidation',
      'TVA autoliquidation',
      'Total HT',
      'Total TVA',
      'Total TTC',
      'Net à payer',
      'Statut',
      'Approuvée le',
      'Reçue le',
      'Fichier',
      'Identifiant Facteur',
    ]);
    const by = (number: string) => Object.fromEntries(header.map((name, i) => [name, rows.find((row) => row[1] === number)![i]]));
    expect(rows.map((row) => row[1])).toEqual(['F-TWO-RATES', 'AV-1', 'RC-7', 'US-99']);
    expect(by('F-TWO-RATES')).toMatchObject({
      Type: 'Facture',
      'Date de facture': '03/11/2026',
      SIREN: '123456782',
      'N° TVA': 'FR11123456782',
      'HT 5,5 %': '60,00',
      'TVA 5,5 %': '3,30',
      'HT 20 %': '1160,00',
      'TVA 20 %': '232,00',
      'HT autoliquidation': '',
      'Total TTC': '1455,30',
      Statut: 'Approuvée',
      'Approuvée le': '01/12/2026',
      'Reçue le': '04/11/2026',
    });
    expect(by('AV-1')).toMatchObject({
      Type: 'Avoir',
      'HT 20 %': '-100,00',
      'TVA 20 %': '-20,00',
      'Total TTC': '-120,00',
      'Net à payer': '-120,00',
    });
    expect(by('RC-7')).toMatchObject({ SIREN: '', 'N° TVA': 'DE123456789', 'HT autoliquidation': '500,00', 'TVA autoliquidation': '0,00' });
    // The SIREN of a French VAT number when the legal registration is missing; received after midnight in Paris.
    expect(by('US-99')).toMatchObject({ Devise: 'USD', SIREN: '303265045', 'Total TTC': '1200,00', 'Reçue le': '01/12/2026' });
  });

  it('writes the English CSV: `,`, a decimal point, ISO dates, English words', async () => {
    const { fileName, bytes } = await read(invoices, { format: 'csv-en' });
    expect(fileName).toBe('invoices-2026-11-01_2026-11-30.csv');
    const [header, ...rows] = cells(bytes.toString('utf8'), ',') as [string[], ...string[][]];
    expect(header.slice(8, 10)).toEqual(['Net 5.5 %', 'VAT 5.5 %']);
    const credit = rows.find((row) => row[1] === 'AV-1')!;
    expect([credit[0], credit[2], credit[header.indexOf('Total gross')], credit[header.indexOf('Status')]]).toEqual([
      'Credit note',
      '2026-11-05',
      '-120.00',
      'Approved',
    ]);
  });

  it('filters by review state, supplier and received date, and never shows another owner’s invoices', async () => {
    const numbers = async (params: Record<string, string>) =>
      cells((await read(invoices, params)).bytes.toString('utf8'), ';')
        .slice(1)
        .map((row) => row[1]);
    expect(await numbers({ review: 'approved,ready' })).toEqual(['F-TWO-RATES', 'AV-1', 'RC-7', 'READY-1', 'US-99']);
    expect(await numbers({ supplier: 'de123456789,cloud inc' })).toEqual(['RC-7', 'US-99']);
    expect(await numbers({ supplier: '123456782' })).toEqual(['F-TWO-RATES', 'AV-1']);
    // By received date, in France: the dollar invoice arrived at 00:30 on 1 December.
    expect(await numbers({ date: 'received', from: '2026-12-01', to: '2026-12-31' })).toEqual(['US-99', 'RC-7']);
    expect(
      await new OwnedInvoices(db, 'bob').export(request({})).then(async (file) => {
        let text = '';
        for await (const chunk of file.chunks) text += Buffer.from(chunk).toString('utf8');
        return cells(text, ';')
          .slice(1)
          .map((row) => row[1]);
      }),
    ).toEqual(['BOBS-1']);
  });

  it('reads the period in keyset pages, each row once, in date order', async () => {
    const pages: string[][] = [];
    for await (const page of exportPages(db, 'local', request({ review: 'approved,ready' }), 2)) {
      pages.push(page.map((entry) => entry.invoice.fields['BT-1']!));
    }
    expect(pages).toEqual([['F-TWO-RATES', 'AV-1'], ['RC-7', 'READY-1'], ['US-99']]);
    const received: string[] = [];
    for await (const page of exportPages(db, 'local', request({ date: 'received', from: '2026-11-01', to: '2026-12-31' }), 1)) {
      received.push(...page.map((entry) => entry.invoice.fields['BT-1']!));
    }
    expect(received).toEqual(['F-TWO-RATES', 'AV-1', 'OCT-1', 'US-99', 'RC-7']);
  });

  it('writes the workbook: numbers as numbers, dates as dates, a frozen header, widths, a totals row per currency', async () => {
    const { fileName, bytes } = await read(invoices, { format: 'xlsx' });
    expect(fileName).toBe('factures-2026-11-01_2026-11-30.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Factures')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const column = (name: string) => header.indexOf(name) + 1;
    expect(sheet.getColumn(column('Fournisseur')).width).toBe(30);
    const credit = sheet.getRow(3);
    expect(credit.getCell(column('Numéro')).value).toBe('AV-1');
    expect(credit.getCell(column('Type')).value).toBe('Avoir');
    expect(credit.getCell(column('Total TTC')).value).toBe(-120);
    expect(credit.getCell(column('Date de facture')).value).toEqual(new Date('2026-11-05T00:00:00Z'));
    expect(credit.getCell(column('Date de facture')).numFmt).toBe('dd/mm/yyyy');
    const totals = [6, 7].map((n) => sheet.getRow(n));
    expect(totals.map((row) => row.getCell(1).value)).toEqual(['Total EUR', 'Total USD']);
    expect(totals[0]!.getCell(column('Total TTC')).value).toBe(1455.3 - 120 + 500);
    expect(totals[1]!.getCell(column('Total TTC')).value).toBe(1200);
  });

  it('writes the FEC purchase journal: 18 columns, balanced entries numbered in date order, reverse charge, a credit note reversed, dollars converted', async () => {
    await changeAccountingSettings(db, 'local', { journalCode: 'ACH', expenseAccount: '6226' });
    const { fileName, bytes } = await read(invoices, { format: 'fec' });
    expect(fileName).toBe('FEC-achats-2026-11-01_2026-11-30.txt');
    const [header, ...lines] = cells(bytes.toString('utf8'), '\t') as [string[], ...string[][]];
    expect(header).toEqual([...FEC_COLUMNS]);
    const rows = lines.map(
      (cells) => Object.fromEntries(FEC_COLUMNS.map((name, i) => [name, cells[i]!])) as Record<(typeof FEC_COLUMNS)[number], string>,
    );
    const amount = (text: string) => {
      expect(text).toMatch(/^\d+,\d{2}$/);
      return Math.round(Number(text.replace(',', '.')) * 100);
    };
    for (const cellsOfLine of lines) expect(cellsOfLine).toHaveLength(18);
    for (const row of rows) {
      expect(row.JournalCode).toBe('ACH');
      for (const date of [row.EcritureDate, row.PieceDate, row.ValidDate]) expect(date).toMatch(/^2026(0[1-9]|1[0-2])\d{2}$/);
    }
    const entries = new Map<string, typeof rows>();
    for (const row of rows) entries.set(row.EcritureNum!, [...(entries.get(row.EcritureNum!) ?? []), row]);
    expect([...entries.keys()]).toEqual(['1', '2', '3', '4']);
    const dates = [...entries.values()].map((entry) => entry[0]!.EcritureDate);
    expect(dates).toEqual([...dates].sort());
    for (const entry of entries.values()) {
      expect(entry.reduce((sum, row) => sum + amount(row.Debit), 0)).toBe(entry.reduce((sum, row) => sum + amount(row.Credit), 0));
    }
    expect(rows.reduce((sum, row) => sum + amount(row.Debit) - amount(row.Credit), 0)).toBe(0);

    const lines_ = (number: string) => entries.get(number)!.map((row) => [row.CompteNum, row.CompAuxNum, row.Debit, row.Credit]);
    expect(lines_('1')).toEqual([
      ['401', 'F123456782', '0,00', '1455,30'],
      ['6226', '', '1160,00', '0,00'],
      ['44566', '', '232,00', '0,00'],
      ['6226', '', '60,00', '0,00'],
      ['44566', '', '3,30', '0,00'],
    ]);
    expect(entries.get('1')![0]).toMatchObject({
      CompAuxLib: 'ATELIER DU FACTEUR SAS',
      PieceRef: 'F-TWO-RATES',
      EcritureLib: 'Facture F-TWO-RATES ATELIER DU FACTEUR SAS',
    });
    // The credit note turns every side over.
    expect(lines_('2')).toEqual([
      ['401', 'F123456782', '120,00', '0,00'],
      ['6226', '', '0,00', '100,00'],
      ['44566', '', '0,00', '20,00'],
    ]);
    // Reverse charge: the VAT self-assessed at 20 %, deducted and due.
    expect(lines_('3')).toEqual([
      ['401', 'FDE123456789', '0,00', '500,00'],
      ['6226', '', '500,00', '0,00'],
      ['44566', '', '100,00', '0,00'],
      ['4452', '', '0,00', '100,00'],
    ]);
    // Dollars at the rate the invoice states for its VAT (180 € for 200 $), the dollars beside.
    expect(entries.get('4')!.map((row) => [row.CompteNum, row.Debit, row.Credit, row.Montantdevise, row.Idevise])).toEqual([
      ['401', '0,00', '1080,00', '1200,00', 'USD'],
      ['6226', '900,00', '0,00', '1000,00', 'USD'],
      ['44566', '180,00', '0,00', '200,00', 'USD'],
    ]);
    expect(entries.get('1')![0]).toMatchObject({ Montantdevise: '', Idevise: '', ValidDate: '20261201', PieceDate: '20261103' });
  });

  it('writes the normalised invoices as JSON', async () => {
    const { bytes } = await read(invoices, { format: 'json' });
    const parsed = JSON.parse(bytes.toString('utf8')) as {
      invoiceId: string;
      reviewState: string;
      invoice: { fields: Record<string, string> };
    }[];
    expect(parsed.map((entry) => entry.invoice.fields['BT-1'])).toEqual(['F-TWO-RATES', 'AV-1', 'RC-7', 'US-99']);
    expect(parsed[1]).toMatchObject({
      reviewState: 'approved',
      approvedOn: '2026-12-01',
      invoice: { fields: { 'BT-3': '381', 'BT-112': '120.00' } },
    });
    await resetTables(db);
    expect(JSON.parse(Buffer.from((await read(invoices, { format: 'json' })).bytes).toString('utf8'))).toEqual([]);
  });

  it('keeps the accounting settings per owner, checked', async () => {
    expect(await readAccountingSettings(db, 'local')).toMatchObject({ journalCode: 'HA', expenseAccount: '607', reverseChargeRate: '20' });
    await changeAccountingSettings(db, 'local', { reverseChargeRate: '5.5' });
    expect(await readAccountingSettings(db, 'local')).toMatchObject({ journalCode: 'HA', reverseChargeRate: '5.5' });
    expect(await readAccountingSettings(db, 'bob')).toMatchObject({ reverseChargeRate: '20' });
    await expect(changeAccountingSettings(db, 'local', { journalCode: 'A|B' })).rejects.toMatchObject({ code: 'INVALID_SETTING' });
    await expect(changeAccountingSettings(db, 'local', { expenseAccount: '607 000' })).rejects.toMatchObject({ code: 'INVALID_SETTING' });
    expect(await readAccountingSettings(db, 'local')).toMatchObject({ journalCode: 'HA', expenseAccount: '607' });
  });

  it('exports exactly the invoices chosen by id, whatever their period and review state', async () => {
    const { rows } = await db.query<{ id: string; number: string }>(
      `SELECT id, extracted->'fields'->>'BT-1' AS number FROM invoices WHERE extracted->'fields'->>'BT-1' IN ('READY-1', 'OCT-1', 'AV-1', 'BOBS-1')`,
    );
    const ids = rows.map((row) => row.id).join(',');
    const [header, ...csv] = cells((await read(invoices, { ids })).bytes.toString('utf8'), ';') as [string[], ...string[][]];
    // Bob's invoice is not the caller's: an id does not open another owner's invoice.
    expect(csv.map((row) => row[header.indexOf('Numéro')]).sort()).toEqual(['AV-1', 'OCT-1', 'READY-1']);
    expect(() => request({ ids: 'not-an-id' })).toThrow(expect.objectContaining({ code: 'INVALID_IDS' }));
  });

  it('books a reviewer’s correction in the CSV, the XLSX, the FEC and the JSON, and leaves a deleted invoice out', async () => {
    const { rows } = await db.query<{ id: string; version: number }>(
      `SELECT id, version FROM invoices WHERE owner = 'local' AND extracted->'fields'->>'BT-1' = 'READY-1'`,
    );
    const { id, version } = rows[0]!;
    await invoices.correct(id, fieldChangesFrom({ 'BT-27': 'Au bon moulin (corrigé)' }), { version, by: 'marie' });
    const ready = { review: 'ready' };

    const [header, ...csv] = cells((await read(invoices, ready)).bytes.toString('utf8'), ';') as [string[], ...string[][]];
    expect(csv.map((row) => row[header.indexOf('Fournisseur')])).toEqual(['Au bon moulin (corrigé)']);
    const json = JSON.parse((await read(invoices, { ...ready, format: 'json' })).bytes.toString('utf8')) as {
      invoice: { fields: Record<string, string> };
    }[];
    expect(json.map((entry) => entry.invoice.fields['BT-27'])).toEqual(['Au bon moulin (corrigé)']);
    const fec = (await read(invoices, { ...ready, format: 'fec' })).bytes.toString('utf8');
    expect(fec).toContain('Au bon moulin (corrigé)');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await read(invoices, { ...ready, format: 'xlsx' })).bytes as unknown as ArrayBuffer);
    const values = workbook.worksheets[0]!.getSheetValues().flat();
    expect(values).toContain('Au bon moulin (corrigé)');

    await invoices.setDeleted(id, true, { by: 'marie' });
    expect(cells((await read(invoices, ready)).bytes.toString('utf8'), ';')).toHaveLength(1);
  });
});
