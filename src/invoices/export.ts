import type { Sql } from '../db/types.ts';
import { latestJob } from '../queue/views.ts';
import { PROCESS_INVOICE } from './jobs.ts';
import type { TermId, TermRecord } from '../einvoice/model.ts';

/** The columns of an export: where each value comes from, and its name in each language. */
const COLUMNS: readonly { key: string; term?: TermId; amount?: boolean; fr: string; en: string }[] = [
  { key: 'invoiceId', fr: 'Identifiant', en: 'Invoice id' },
  { key: 'fileName', fr: 'Fichier', en: 'File' },
  { key: 'status', fr: 'Statut', en: 'Status' },
  { key: 'format', fr: 'Format', en: 'Format' },
  { key: 'BT-1', term: 'BT-1', fr: 'Numéro de facture', en: 'Invoice number' },
  { key: 'BT-2', term: 'BT-2', fr: 'Date de facture', en: 'Issue date' },
  { key: 'BT-9', term: 'BT-9', fr: 'Échéance', en: 'Due date' },
  { key: 'BT-27', term: 'BT-27', fr: 'Fournisseur', en: 'Seller' },
  { key: 'BT-31', term: 'BT-31', fr: 'N° TVA fournisseur', en: 'Seller VAT id' },
  { key: 'BT-44', term: 'BT-44', fr: 'Client', en: 'Buyer' },
  { key: 'BT-5', term: 'BT-5', fr: 'Devise', en: 'Currency' },
  { key: 'BT-109', term: 'BT-109', amount: true, fr: 'Total HT', en: 'Total without VAT' },
  { key: 'BT-110', term: 'BT-110', amount: true, fr: 'Total TVA', en: 'Total VAT' },
  { key: 'BT-112', term: 'BT-112', amount: true, fr: 'Total TTC', en: 'Total with VAT' },
  { key: 'BT-115', term: 'BT-115', amount: true, fr: 'Net à payer', en: 'Amount due' },
  { key: 'receivedAt', fr: 'Reçue le', en: 'Received at' },
];

export type ExportRow = Record<string, string>;

// One row per invoice received since the date, with its latest processing job's status, oldest first:
// the corrected values (src/invoices/corrections.ts), deleted invoices left out.
const EXPORT = `
  SELECT i.id, i.file_name, i.format, i.created_at, COALESCE(i.corrected, i.extracted)->'fields' AS fields, q.status
    FROM invoices i
    LEFT JOIN LATERAL ${latestJob('i.id', '$3')} q ON true
   WHERE i.owner = $1 AND i.created_at >= $2 AND i.deleted_at IS NULL
   ORDER BY i.created_at, i.id`;

export async function exportRows(sql: Sql, owner: string, since: Date): Promise<ExportRow[]> {
  const { rows } = await sql.query<{
    id: string;
    file_name: string;
    format: string | null;
    created_at: Date;
    fields: TermRecord | null;
    status: string | null;
  }>(EXPORT, [owner, since, PROCESS_INVOICE]);
  return rows.map((row) => {
    const values: ExportRow = {
      invoiceId: row.id,
      fileName: row.file_name,
      status: row.status ?? '',
      format: row.format ?? '',
      receivedAt: row.created_at.toISOString(),
    };
    for (const column of COLUMNS) if (column.term) values[column.key] = row.fields?.[column.term] ?? '';
    return values;
  });
}

/**
 * CSV as a spreadsheet in that language opens it: French uses `;` and a decimal comma, English
 * `,` and a point. Text that a spreadsheet would run as a formula is defused with a leading quote.
 */
export function toCsv(rows: readonly ExportRow[], language: 'fr' | 'en'): string {
  const separator = language === 'fr' ? ';' : ',';
  const cell = (value: string) => (value.includes(separator) || /["\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [COLUMNS.map((column) => cell(column[language])).join(separator)];
  for (const row of rows) {
    lines.push(
      COLUMNS.map((column) => {
        const value = row[column.key] ?? '';
        if (column.amount) return cell(language === 'fr' ? value.replace('.', ',') : value);
        return cell(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
      }).join(separator),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
