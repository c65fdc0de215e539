import { describe, expect, it } from 'vitest';
import { detectInvoice, extractInvoice, normalisedInvoiceSchema, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { sampleInvoice } from './support/sample.ts';
import { writeCii, writeFacturX, writeUbl, type InvoiceContent } from './support/writer.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const content = (invoice: NormalisedInvoice): InvoiceContent => ({
  fields: invoice.fields,
  notes: invoice.notes,
  allowances: invoice.allowances,
  charges: invoice.charges,
  vatBreakdown: invoice.vatBreakdown,
  lines: invoice.lines,
});

describe('structured extraction', () => {
  it('reads a CII invoice into the normalised invoice', async () => {
    const invoice = await extractInvoice(bytes(writeCii(sampleInvoice())));
    expect(invoice.format).toBe('cii');
    expect(invoice.source).toEqual({ container: 'xml', syntax: 'cii' });
    expect(invoice.profileLevel).toBe('EN16931');
    expect(content(invoice)).toEqual(sampleInvoice());
    expect(invoice.confidence['BT-1']).toBe(1);
    expect(() => normalisedInvoiceSchema.parse(invoice)).not.toThrow();
  });

  it('reads the UBL twin of the same invoice into the same normalised invoice', async () => {
    const fromUbl = await extractInvoice(bytes(writeUbl(sampleInvoice())));
    const fromCii = await extractInvoice(bytes(writeCii(sampleInvoice())));
    expect(fromUbl.format).toBe('ubl');
    expect(content(fromUbl)).toEqual(content(fromCii));
  });

  it('reads a UBL CreditNote, whose quantities and due date have other names', async () => {
    const sample = sampleInvoice();
    sample.fields['BT-3'] = '381';
    const invoice = await extractInvoice(bytes(writeUbl(sample)));
    expect(invoice.fields['BT-3']).toBe('381');
    expect(invoice.fields['BT-9']).toBe('2026-10-15');
    expect(invoice.lines.map((l) => l['BT-129'])).toEqual(['2', '1', '3']);
  });

  it('reads the factur-x.xml embedded in a PDF', async () => {
    const pdf = await writeFacturX(sampleInvoice());
    const invoice = await extractInvoice(pdf);
    expect(invoice.format).toBe('facturx');
    expect(invoice.source).toEqual({ container: 'pdf', syntax: 'cii', attachment: 'factur-x.xml', pages: 1 });
    expect(content(invoice)).toEqual(sampleInvoice());
  });

  it('chooses the invoice attachment by name, whatever comes first', async () => {
    const decoy = sampleInvoice();
    decoy.fields['BT-1'] = 'NOT-THIS-ONE';
    const pdf = await writeFacturX(sampleInvoice(), {
      otherAttachments: [
        { name: 'bon-de-livraison.pdf', content: bytes('%PDF-1.7 not really') },
        { name: 'a-copy.xml', content: bytes(writeCii(decoy)) },
      ],
    });
    const invoice = await extractInvoice(pdf);
    expect(invoice.source.attachment).toBe('factur-x.xml');
    expect(invoice.fields['BT-1']).toBe('F2026-0042');
  });

  it.each(['zugferd-invoice.xml', 'xrechnung.xml'])('accepts the standard attachment name %s', async (name) => {
    const pdf = await writeFacturX(sampleInvoice(), { attachmentName: name });
    expect((await detectInvoice(pdf)).attachment).toBe(name);
  });

  it('reads a UBL invoice embedded under a free name when no standard name is present', async () => {
    const pdf = await writeFacturX(sampleInvoice(), { attachmentName: 'UBL-Invoice-2.1.xml', xml: writeUbl(sampleInvoice()) });
    const invoice = await extractInvoice(pdf);
    expect(invoice.source).toMatchObject({ container: 'pdf', syntax: 'ubl', attachment: 'UBL-Invoice-2.1.xml' });
    expect(invoice.format).toBe('facturx');
  });

  it('reads ZUGFeRD 1.0, with its own namespace and element names', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ram:ID>RE-1001</ram:ID><ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20140522</udt:DateTimeString></ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Kunde AG</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">19.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount currencyID="EUR">100.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="EUR">100.00</ram:LineTotalAmount><ram:TaxBasisTotalAmount currencyID="EUR">100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">19.00</ram:TaxTotalAmount><ram:GrandTotalAmount currencyID="EUR">119.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount currencyID="EUR">119.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedSupplyChainTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">50.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedSupplyChainTradeAgreement>
      <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">2</ram:BilledQuantity></ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedSupplyChainTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementMonetarySummation><ram:LineTotalAmount currencyID="EUR">100.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:SpecifiedSupplyChainTradeSettlement>
      <ram:SpecifiedTradeProduct><ram:Name>Schraube</ram:Name></ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>`;
    const invoice = await extractInvoice(bytes(xml));
    expect(invoice.format).toBe('zugferd1');
    expect(invoice.profileLevel).toBe('ZUGFeRD1');
    expect(invoice.fields).toMatchObject({ 'BT-1': 'RE-1001', 'BT-2': '2014-05-22', 'BT-31': 'DE123456789', 'BT-112': '119.00' });
    expect(invoice.vatBreakdown).toEqual([{ 'BT-116': '100.00', 'BT-117': '19.00', 'BT-118': 'S', 'BT-119': '19.00' }]);
    expect(invoice.lines).toEqual([
      {
        'BT-126': '1',
        'BT-129': '2',
        'BT-130': 'C62',
        'BT-131': '100.00',
        'BT-146': '50.00',
        'BT-151': 'S',
        'BT-152': '19.00',
        'BT-153': 'Schraube',
      },
    ]);
  });

  it('picks the VAT total in the invoice currency when the accounting currency differs (BT-110, BT-111)', async () => {
    const xml = writeCii(sampleInvoice())
      .replace(
        /<ram:TaxTotalAmount currencyID="EUR">235.30<\/ram:TaxTotalAmount>/,
        '<ram:TaxTotalAmount currencyID="SEK">2600.00</ram:TaxTotalAmount><ram:TaxTotalAmount currencyID="EUR">235.30</ram:TaxTotalAmount>',
      )
      .replace(
        '<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>',
        '<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:TaxCurrencyCode>SEK</ram:TaxCurrencyCode>',
      );
    const invoice = await extractInvoice(bytes(xml));
    expect(invoice.fields['BT-110']).toBe('235.30');
    expect(invoice.fields['BT-111']).toBe('2600.00');
  });
});

describe('profiles (BT-24)', () => {
  it.each([
    ['urn:factur-x.eu:1p0:minimum', 'MINIMUM'],
    ['urn:factur-x.eu:1p0:basicwl', 'BASIC WL'],
    ['urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic', 'BASIC'],
    ['urn:cen.eu:en16931:2017:compliant:factur-x.eu:1p0:basic', 'BASIC'],
    ['urn:cen.eu:en16931:2017', 'EN16931'],
    ['urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended', 'EXTENDED'],
    ['urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0', 'XRECHNUNG'],
    ['urn:zugferd.de:2p0:minimum', 'MINIMUM'],
    ['urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic', 'BASIC'],
    ['urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0', 'PEPPOL'],
    ['urn:ferd:CrossIndustryDocument:invoice:1p0:extended', 'ZUGFeRD1'],
    ['urn:ferd:invoice:rc:comfort', 'ZUGFeRD1'],
  ])('recognises %s as %s', async (urn, level) => {
    const sample = sampleInvoice();
    sample.fields['BT-24'] = urn;
    const invoice = await extractInvoice(bytes(writeCii(sample)));
    expect(invoice.profile).toBe(urn);
    expect(invoice.profileLevel).toBe(level);
  });
});

describe('leniency', () => {
  it('reads a UBL invoice still in its Peppol envelope (SBDH)', async () => {
    const ubl = writeUbl(sampleInvoice()).replace(/^<\?xml[^>]*>\n/, '');
    const wrapped = `<?xml version="1.0" encoding="UTF-8"?>
<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
  <StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></StandardBusinessDocumentHeader>
  ${ubl}
</StandardBusinessDocument>`;
    const invoice = await extractInvoice(bytes(wrapped));
    expect(invoice.format).toBe('ubl');
    expect(invoice.fields['BT-1']).toBe('F2026-0042');
  });

  it('reads a decimal comma, with a warning, and refuses what is not a number', async () => {
    const xml = writeCii(sampleInvoice())
      .replace('<ram:GrandTotalAmount>1455.30<', '<ram:GrandTotalAmount>1455,30<')
      .replace('<ram:LineTotalAmount>1260.00<', '<ram:LineTotalAmount>1.260,00<');
    const invoice = await extractInvoice(bytes(xml));
    expect(invoice.fields['BT-112']).toBe('1455.30');
    expect(invoice.fields['BT-106']).toBeUndefined();
    expect(invoice.validation.filter((f) => f.rule === 'FACTEUR-NUMBER').map((f) => f.severity)).toEqual(['error', 'warning']);
  });

  it('reads the VAT total (BT-110) from an amount that names no currency', async () => {
    const xml = writeCii(sampleInvoice()).replace('<ram:TaxTotalAmount currencyID="EUR">', '<ram:TaxTotalAmount>');
    expect((await extractInvoice(bytes(xml))).fields['BT-110']).toBe('235.30');
  });
});
