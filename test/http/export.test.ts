import { describe, expect, it } from 'vitest';
import { invoiceCsv } from '../../src/http/export.ts';
import type { NormalisedInvoice } from '../../src/einvoice/model.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';

const normalised = (change: (invoice: NormalisedInvoice) => void): NormalisedInvoice => {
  const invoice = {
    format: 'cii',
    source: { container: 'xml' },
    notes: [],
    confidence: {},
    validation: [],
    ...sampleInvoice(),
  } as unknown as NormalisedInvoice;
  change(invoice);
  return invoice;
};
const rows = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');

describe('the CSV export of one invoice', () => {
  it('writes one row per line under a header of term ids, numbers and dates as a French spreadsheet reads them', () => {
    const [header, first, ...rest] = rows(invoiceCsv(normalised(() => {})));
    expect(header!.split(';').slice(0, 3)).toEqual(['BT-1', 'BT-2', 'BT-3']);
    expect(rest).toHaveLength(2);
    expect(first).toContain(';1455,30;');
    expect(first).toContain(';15/09/2026;');
    expect(first).toContain(';450,00;');
    expect(first).toContain(';Conseil (jour);');
  });

  it('quotes separators and quotes, keeps negative amounts, and never lets a cell run as a formula', () => {
    const csv = invoiceCsv(
      normalised((invoice) => {
        invoice.fields['BT-27'] = '=HYPERLINK("http://x";"clic")';
        invoice.fields['BT-44'] = 'Client; "le grand"';
        invoice.fields['BT-112'] = '-120.50';
        invoice.lines = [{ 'BT-153': '@SUM(A1)', 'BT-131': '-1+2' }];
      }),
    );
    const [, line] = rows(csv);
    expect(line).toContain(`;"'=HYPERLINK(""http://x"";""clic"")";`);
    expect(line).toContain(';"Client; ""le grand""";');
    expect(line).toContain(';-120,50;');
    expect(line).toContain(";'@SUM(A1);");
    expect(line).toContain(";'-1+2;");
  });

  it('writes the header terms once when the invoice has no lines', () => {
    expect(rows(invoiceCsv(normalised((invoice) => (invoice.lines = []))))).toHaveLength(2);
  });
});
