// The period's workbook, streamed: exceljs's WorkbookWriter writes each row into the zip as it is
// committed, and this generator hands the zip's bytes on as they come, waiting for its reader
// before reading the next page, so memory stays flat whatever the period holds.
import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { Decimal } from 'decimal.js';
import ExcelJS from 'exceljs';
import { type ExportLanguage, type ExportSource, columnText, exportColumns, signedAmounts } from './export.ts';

/** Bytes of the zip waiting for the reader before the next page is read. */
const BACKLOG = 1 << 20;

/** A `YYYY-MM-DD` day as the spreadsheet's date (a serial at midnight, shown in the French way or ISO). */
const day = (iso: string | undefined) => (iso && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00Z`) : iso);

export async function* xlsxExport(source: ExportSource, lang: ExportLanguage): AsyncGenerator<Uint8Array> {
  const columns = exportColumns(source.rates);
  const zip = new PassThrough({ highWaterMark: BACKLOG });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: zip, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(lang === 'fr' ? 'Factures' : 'Invoices', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({
    header: column[lang],
    width: column.width,
    style:
      column.kind === 'amount'
        ? { numFmt: '#,##0.00' }
        : column.kind === 'date'
          ? { numFmt: lang === 'fr' ? 'dd/mm/yyyy' : 'yyyy-mm-dd' }
          : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();

  // Totals per currency: summing euros and dollars in one cell would mean nothing.
  const totals = new Map<string, Decimal[]>();
  let failed: unknown;
  const produce = async () => {
    for await (const page of source.pages()) {
      // The reader went away: stop reading.
      if (zip.destroyed) return;
      for (const entry of page) {
        const amounts = signedAmounts(entry.invoice);
        const currency = entry.invoice.fields['BT-5'] ?? '';
        const sums = totals.get(currency) ?? columns.map(() => new Decimal(0));
        totals.set(currency, sums);
        const values = columns.map((column, i) => {
          const value = column.value(entry, amounts);
          if (value instanceof Decimal) {
            sums[i] = sums[i]!.plus(value);
            return value.toNumber();
          }
          if (column.kind === 'date') return day(value);
          return value === undefined ? null : columnText(column, value, lang);
        });
        sheet.addRow(values).commit();
      }
      // The reader has not taken the bytes yet: wait for it before reading more rows.
      while (zip.readableLength > BACKLOG && !zip.destroyed) await tick();
    }
    for (const [currency, sums] of totals) {
      const row = sheet.addRow(columns.map((column, i) => (i === 0 ? `Total ${currency}` : column.total ? sums[i]!.toNumber() : null)));
      row.font = { bold: true };
      row.commit();
    }
    sheet.commit();
    await workbook.commit();
  };
  const done = produce().catch((error: unknown) => {
    failed = error;
    zip.destroy(error as Error);
  });
  try {
    for await (const chunk of zip) yield chunk as Uint8Array;
  } finally {
    zip.destroy();
    await done;
  }
  if (failed) throw failed;
}
