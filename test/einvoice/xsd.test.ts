// XSD validation against the official schemas: each schema error is an `XSD` finding naming the
// line of the received file, and each document is checked against the schema of its kind and profile.
import { describe, expect, it } from 'vitest';
import { extractInvoice, type Finding, type NormalisedInvoice, type TermId } from '../../src/einvoice/index.ts';
import { sampleInvoice } from './support/sample.ts';
import { type InvoiceContent, writeCii, writeFacturX, writeUbl } from './support/writer.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const xsdOf = (invoice: NormalisedInvoice): Finding[] => invoice.validation.filter((f) => f.rule === 'XSD');
/** One element a line, so that a line number points at one element. */
const oneElementALine = (xml: string) => xml.replace(/></g, '>\n<');
/** The 1-based line of the first line containing `text`. */
const lineOf = (xml: string, text: string) => xml.split('\n').findIndex((line) => line.includes(text)) + 1;

describe('XSD validation', () => {
  it('finds nothing wrong with a valid CII or UBL invoice, as XML or in a Factur-X PDF', async () => {
    expect(xsdOf(await extractInvoice(encode(writeCii(sampleInvoice()))))).toEqual([]);
    expect(xsdOf(await extractInvoice(encode(writeUbl(sampleInvoice()))))).toEqual([]);
    expect(xsdOf(await extractInvoice(await writeFacturX(sampleInvoice())))).toEqual([]);
  });

  it('reports an element out of order at its line, with what the schema expected there', async () => {
    const valid = oneElementALine(writeCii(sampleInvoice()));
    // BT-3 (TypeCode) moved after BT-2 (IssueDateTime).
    const typeCode = '<ram:TypeCode>380</ram:TypeCode>\n';
    const xml = valid.replace(typeCode, '').replace('</ram:IssueDateTime>\n', `</ram:IssueDateTime>\n${typeCode}`);
    const [finding, ...rest] = xsdOf(await extractInvoice(encode(xml)));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error' });
    expect(finding?.message).toMatch(
      new RegExp(`^Line ${lineOf(xml, '<ram:IssueDateTime>')}: Element 'IssueDateTime'.*Expected is one of \\( Name, TypeCode \\)`),
    );
  });

  it('reports an unknown element at its line', async () => {
    const xml = oneElementALine(writeUbl(sampleInvoice())).replace('<cbc:DueDate>', '<cbc:Colour>red</cbc:Colour>\n<cbc:DueDate>');
    const findings = xsdOf(await extractInvoice(encode(xml)));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(new RegExp(`^Line ${lineOf(xml, 'Colour')}: Element 'Colour': This element is not expected`));
    expect(findings[0]?.message).toMatch(/UBL-Invoice-2\.1\.xsd/);
  });

  it('reports a date in the wrong format at its line', async () => {
    const xml = oneElementALine(writeUbl(sampleInvoice())).replace('<cbc:IssueDate>2026-09-15<', '<cbc:IssueDate>15/09/2026<');
    const findings = xsdOf(await extractInvoice(encode(xml)));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(
      new RegExp(`^Line ${lineOf(xml, '<cbc:IssueDate>')}: Element 'IssueDate': '15/09/2026' is not a valid value`),
    );
  });

  it('validates a Peppol message without its envelope, with the lines of the whole file', async () => {
    const ubl = oneElementALine(writeUbl(sampleInvoice())).replace(/^<\?xml[^>]*>\n?/, '');
    const envelope = (invoice: string) =>
      `<?xml version="1.0" encoding="UTF-8"?>
<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></StandardBusinessDocumentHeader>
${invoice}
</StandardBusinessDocument>`;
    expect(xsdOf(await extractInvoice(encode(envelope(ubl))))).toEqual([]);
    const xml = envelope(ubl.replace('<cbc:DueDate>', '<cbc:Colour>red</cbc:Colour>\n<cbc:DueDate>'));
    expect(xsdOf(await extractInvoice(encode(xml))).map((f) => f.message)).toEqual([
      expect.stringMatching(new RegExp(`^Line ${lineOf(xml, 'Colour')}: Element 'Colour'`)),
    ]);
  });

  it('checks a UBL credit note against the CreditNote schema', async () => {
    const xml = oneElementALine(writeUbl({ ...sampleInvoice(), fields: { ...sampleInvoice().fields, 'BT-3': '381' } }));
    expect(xml).toContain('<CreditNote');
    expect(xsdOf(await extractInvoice(encode(xml)))).toEqual([]);
    const invalid = xml.replace('<cbc:CreditNoteTypeCode>', '<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>\n<cbc:CreditNoteTypeCode>');
    expect(xsdOf(await extractInvoice(encode(invalid)))[0]?.message).toMatch(/InvoiceTypeCode.*UBL-CreditNote-2\.1\.xsd/);
  });
});

/** The sample with only the given terms, and without the parts a profile does not carry. */
function reduced(terms: readonly TermId[] | 'all', parts: { lines: boolean; breakdown: boolean }): InvoiceContent {
  const sample = sampleInvoice();
  const kept = (id: string) => (terms === 'all' ? id !== 'BT-86' : terms.includes(id as TermId));
  return {
    fields: Object.fromEntries(Object.entries(sample.fields).filter(([id]) => kept(id))),
    notes: [],
    allowances: parts.breakdown ? sample.allowances : [],
    charges: parts.breakdown ? sample.charges : [],
    vatBreakdown: parts.breakdown ? sample.vatBreakdown : [],
    lines: parts.lines ? sample.lines : [],
  };
}

// MINIMUM: the parties, the totals, no breakdown; BASIC WL and BASIC: no BT-86 (the payee's BIC).
const MINIMUM_TERMS: TermId[] = ['BT-1', 'BT-2', 'BT-3', 'BT-5', 'BT-13', 'BT-27', 'BT-30', 'BT-31', 'BT-40', 'BT-44', 'BT-47'];
const TOTALS: TermId[] = ['BT-109', 'BT-110', 'BT-112', 'BT-115'];

describe('the schema follows the profile named in BT-24', () => {
  const profiles: Array<[string, string, InvoiceContent]> = [
    ['MINIMUM', 'urn:factur-x.eu:1p0:minimum', reduced([...MINIMUM_TERMS, ...TOTALS], { lines: false, breakdown: false })],
    ['BASICWL', 'urn:factur-x.eu:1p0:basicwl', reduced('all', { lines: false, breakdown: true })],
    ['BASIC', 'urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic', reduced('all', { lines: true, breakdown: true })],
    ['EN16931', 'urn:cen.eu:en16931:2017', sampleInvoice()],
    ['EXTENDED', 'urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended', sampleInvoice()],
  ];

  it.each(profiles)("accepts a valid %s Factur-X file and judges it by that profile's schema", async (name, profile, content) => {
    const valid = await extractInvoice(await writeFacturX({ ...content, fields: { ...content.fields, 'BT-24': profile } }));
    expect(xsdOf(valid)).toEqual([]);
    const unknown = writeCii({ ...content, fields: { ...content.fields, 'BT-24': profile } }).replace(
      '</rsm:ExchangedDocument>',
      '<ram:Colour>red</ram:Colour></rsm:ExchangedDocument>',
    );
    const findings = xsdOf(await extractInvoice(await writeFacturX(content, { xml: unknown })));
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(new RegExp(`Colour.*Factur-X_${name}\\.xsd`))]);
  });

  it('checks ZUGFeRD 1.0 against its own schema', async () => {
    const zugferd1 = (header: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:basic</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
${header}
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode></ram:ApplicableSupplyChainTradeSettlement>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>`;
    const valid =
      '    <ram:ID>RE-1</ram:ID><ram:TypeCode>380</ram:TypeCode>\n    <ram:IssueDateTime><udt:DateTimeString format="102">20140522</udt:DateTimeString></ram:IssueDateTime>';
    expect(xsdOf(await extractInvoice(encode(zugferd1(valid))))).toEqual([]);
    const findings = xsdOf(await extractInvoice(encode(zugferd1(valid.replace('<ram:TypeCode>380</ram:TypeCode>', '<ram:Colour/>')))));
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/^Line 9: Element 'Colour'.*ZUGFeRD1p0\.xsd/)]);
  });

  it('leaves a ZUGFeRD 1.0 release candidate unchecked: its schema is not the 1.0 one, and none is shipped', async () => {
    const candidate = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:Invoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CBFBUY:5"><rsm:HeaderExchangedDocument/></rsm:Invoice>`;
    const invoice = await extractInvoice(encode(candidate));
    expect(invoice.format).toBe('zugferd1');
    expect(xsdOf(invoice)).toEqual([]);
  });
});
