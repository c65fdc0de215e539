// Property: any invoice the writers can express comes back unchanged through CII, UBL and
// Factur-X, so the CII and UBL readings of one invoice are identical.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractInvoice, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { invoiceContent } from './support/arbitraries.ts';
import { writeCii, writeFacturX, writeUbl, type InvoiceContent } from './support/writer.ts';

const content = (invoice: NormalisedInvoice): InvoiceContent => ({
  fields: invoice.fields,
  allowances: invoice.allowances,
  charges: invoice.charges,
  vatBreakdown: invoice.vatBreakdown,
  lines: invoice.lines,
});
const encode = (xml: string) => new TextEncoder().encode(xml);

describe('round trips: invoice → XML → extract → same invoice', () => {
  it('through CII', async () => {
    await fc.assert(
      fc.asyncProperty(invoiceContent, async (invoice) => {
        expect(content(await extractInvoice(encode(writeCii(invoice))))).toEqual(invoice);
      }),
      { numRuns: 200 },
    );
  });

  it('through UBL (Invoice and CreditNote)', async () => {
    await fc.assert(
      fc.asyncProperty(invoiceContent, async (invoice) => {
        expect(content(await extractInvoice(encode(writeUbl(invoice))))).toEqual(invoice);
      }),
      { numRuns: 200 },
    );
  });

  it('through a Factur-X PDF', async () => {
    await fc.assert(
      fc.asyncProperty(invoiceContent, async (invoice) => {
        const extracted = await extractInvoice(await writeFacturX(invoice));
        expect(extracted.format).toBe('facturx');
        expect(content(extracted)).toEqual(invoice);
      }),
      { numRuns: 25 },
    );
  });

  it('gives the same validation findings for the CII and UBL forms of one invoice', async () => {
    await fc.assert(
      fc.asyncProperty(invoiceContent, async (generated) => {
        // Both judged by CEN: a Factur-X profile named in BT-24 would judge the CII form by its own rules.
        const invoice = { ...generated, fields: { ...generated.fields, 'BT-24': 'urn:cen.eu:en16931:2017' } };
        const rules = async (xml: string) => (await extractInvoice(encode(xml))).validation.map((f) => f.rule).sort();
        const [cii, ubl] = await Promise.all([rules(writeCii(invoice)), rules(writeUbl(invoice))]);
        // Where the official Schematrons of the two syntaxes differ: BR-CO-17's tolerance, BR-49,
        // since UBL can only write BT-83 (and a credit note's BT-9) inside a payment instruction,
        // which then needs a payment means code that CII does not ask for, and the VAT categories'
        // -01 (UBL counts a breakdown as a use of its own category); each syntax's own schema (XSD),
        // whose cardinalities and element orders differ; and BR-CL-08, since UBL reads a note's
        // subject code from its text (« #AAI#… ») where CII has an element of its own, so a note
        // that starts « #aaa# » is a bad code in UBL and plain text in CII.
        const shared = (rules: string[]) =>
          rules.filter((r) => r !== 'BR-CO-17' && r !== 'BR-49' && r !== 'XSD' && r !== 'BR-CL-08' && !/^BR-[A-Z]+-01$/.test(r));
        expect(shared(cii)).toEqual(shared(ubl));
      }),
      { numRuns: 100 },
    );
  });
});
