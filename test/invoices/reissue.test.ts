// Re-issuing a stored invoice as UBL, CII or Factur-X, whatever it was read from: here one read from
// a scan (format ocr, its values checked by a reviewer), written out and read back by the extractor
// to the same business terms.
import { describe, expect, it } from 'vitest';
import { extractInvoice, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { invoiceFile } from '../../src/http/export.ts';
import { TWO_RATES, normalised } from './support/exports.ts';

const CREDIT_NOTE = { ...TWO_RATES, fields: { ...TWO_RATES.fields, 'BT-1': 'AV-2', 'BT-3': '381' } };

/** What the visual path stores for a scan: read from an image, with confidences. */
const fromScan = (content: typeof TWO_RATES): NormalisedInvoice => ({
  ...normalised(content),
  format: 'ocr',
  source: { container: 'image', pages: 1 },
  confidence: { 'BT-1': 0.91, 'BT-112': 0.74 },
});

const KEY_TERMS = ['BT-1', 'BT-2', 'BT-3', 'BT-5', 'BT-27', 'BT-31', 'BT-109', 'BT-110', 'BT-112', 'BT-115'] as const;

describe('re-issuing an invoice read from a scan', () => {
  it.each(['cii', 'ubl', 'facturx'] as const)('writes %s that reads back to the same terms, VAT breakdown and lines', async (format) => {
    for (const content of [TWO_RATES, CREDIT_NOTE]) {
      const invoice = fromScan(content);
      const file = await invoiceFile(invoice, format, '00000000-0000-4000-8000-000000000000');
      expect(file.fileName).toBe(`${content.fields['BT-1']}-${format}.${format === 'facturx' ? 'pdf' : 'xml'}`);
      const bytes = typeof file.body === 'string' ? new TextEncoder().encode(file.body) : file.body;
      const read = await extractInvoice(bytes);
      expect(read.format).toBe(format === 'facturx' ? 'facturx' : format);
      for (const term of KEY_TERMS) expect([term, read.fields[term]]).toEqual([term, invoice.fields[term]]);
      expect(read.vatBreakdown).toEqual(invoice.vatBreakdown);
      expect(read.lines.map((line) => line['BT-131'])).toEqual(invoice.lines.map((line) => line['BT-131']));
      expect(read.validation.filter((finding) => finding.severity === 'error')).toEqual([]);
    }
  });
});
