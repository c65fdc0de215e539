// The project's own e-invoice writer: CII D16B, UBL 2.1 and Factur-X PDFs generated from a
// normalised invoice. The tests make their fixtures with it (never from the shared corpus) and
// property-test round trips (invoice → XML → extract → same invoice); the exports re-issue any
// stored invoice with it, one read from a scan included. It is written by hand from the syntax
// specifications, independently of the extractor's binding tables, so that it checks them.
import { AFRelationship, PDFDocument, StandardFonts } from 'pdf-lib';
import type { NormalisedInvoice, TermRecord } from './model.ts';

/**
 * The part of a normalised invoice a writer needs. Without `notes`, BT-22 is written as the only
 * note; with them, BT-22 should be the first note's text.
 */
export type InvoiceContent = Pick<NormalisedInvoice, 'fields' | 'allowances' | 'charges' | 'vatBreakdown' | 'lines'> &
  Partial<Pick<NormalisedInvoice, 'notes'>>;

const notesOf = (invoice: InvoiceContent): TermRecord[] =>
  invoice.notes ?? (invoice.fields['BT-22'] === undefined ? [] : [{ 'BT-22': invoice.fields['BT-22'] }]);

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Content = string | undefined | ReadonlyArray<string | undefined>;

/** An element, or nothing when it has no content: absent terms leave no empty elements behind. */
function el(name: string, content: Content, attributes: Record<string, string | undefined> = {}): string {
  const inner = typeof content === 'string' ? escapeXml(content) : content === undefined ? '' : content.filter(Boolean).join('');
  if (inner === '') return '';
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v as string)}"`)
    .join('');
  return `<${name}${attrs}>${inner}</${name}>`;
}

const ciiDate = (date: string | undefined) => date?.replace(/-/g, '');

// ---------------------------------------------------------------- CII D16B (Factur-X, ZUGFeRD 2)

const CII_NAMESPACES =
  'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" ' +
  'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" ' +
  'xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" ' +
  'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"';

function ciiDateTime(name: string, date: string | undefined): string {
  return el(name, [el('udt:DateTimeString', ciiDate(date), { format: '102' })]);
}

interface PartyIds {
  name: string | undefined;
  tradingName?: string | undefined;
  identifier: string | undefined;
  legal: string | undefined;
  vat: string | undefined;
  electronic: string | undefined;
  line1: string | undefined;
  city: string | undefined;
  postCode: string | undefined;
  country: string | undefined;
}

const seller = (f: TermRecord): PartyIds => ({
  name: f['BT-27'],
  tradingName: f['BT-28'],
  identifier: f['BT-29'],
  legal: f['BT-30'],
  vat: f['BT-31'],
  electronic: f['BT-34'],
  line1: f['BT-35'],
  city: f['BT-37'],
  postCode: f['BT-38'],
  country: f['BT-40'],
});

const buyer = (f: TermRecord): PartyIds => ({
  name: f['BT-44'],
  identifier: f['BT-46'],
  legal: f['BT-47'],
  vat: f['BT-48'],
  electronic: f['BT-49'],
  line1: f['BT-50'],
  city: f['BT-52'],
  postCode: f['BT-53'],
  country: f['BT-55'],
});

function ciiParty(name: string, p: PartyIds): string {
  return el(name, [
    el('ram:ID', p.identifier),
    el('ram:Name', p.name),
    el('ram:SpecifiedLegalOrganization', [el('ram:ID', p.legal, { schemeID: '0002' }), el('ram:TradingBusinessName', p.tradingName)]),
    el('ram:PostalTradeAddress', [
      el('ram:PostcodeCode', p.postCode),
      el('ram:LineOne', p.line1),
      el('ram:CityName', p.city),
      el('ram:CountryID', p.country),
    ]),
    el('ram:URIUniversalCommunication', [el('ram:URIID', p.electronic, { schemeID: 'EM' })]),
    el('ram:SpecifiedTaxRegistration', [el('ram:ID', p.vat, { schemeID: 'VA' })]),
  ]);
}

export function writeCii(invoice: InvoiceContent): string {
  const f = invoice.fields;
  const currency = f['BT-5'];
  const amount = (name: string, value: string | undefined) => el(name, value);
  const allowanceCharge = (record: TermRecord, charge: boolean) => {
    const [amountId, baseId, percentId, categoryId, rateId, reasonId, codeId] = charge
      ? (['BT-99', 'BT-100', 'BT-101', 'BT-102', 'BT-103', 'BT-104', 'BT-105'] as const)
      : (['BT-92', 'BT-93', 'BT-94', 'BT-95', 'BT-96', 'BT-97', 'BT-98'] as const);
    return el('ram:SpecifiedTradeAllowanceCharge', [
      el('ram:ChargeIndicator', [el('udt:Indicator', String(charge))]),
      el('ram:CalculationPercent', record[percentId]),
      el('ram:BasisAmount', record[baseId]),
      el('ram:ActualAmount', record[amountId]),
      el('ram:ReasonCode', record[codeId]),
      el('ram:Reason', record[reasonId]),
      el('ram:CategoryTradeTax', [
        el('ram:TypeCode', 'VAT'),
        el('ram:CategoryCode', record[categoryId]),
        el('ram:RateApplicablePercent', record[rateId]),
      ]),
    ]);
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice ${CII_NAMESPACES}>${[
    el('rsm:ExchangedDocumentContext', [
      el('ram:BusinessProcessSpecifiedDocumentContextParameter', [el('ram:ID', f['BT-23'])]),
      el('ram:GuidelineSpecifiedDocumentContextParameter', [el('ram:ID', f['BT-24'])]),
    ]),
    el('rsm:ExchangedDocument', [
      el('ram:ID', f['BT-1']),
      el('ram:TypeCode', f['BT-3']),
      ciiDateTime('ram:IssueDateTime', f['BT-2']),
      ...notesOf(invoice).map((note) => el('ram:IncludedNote', [el('ram:Content', note['BT-22']), el('ram:SubjectCode', note['BT-21'])])),
    ]),
    el('rsm:SupplyChainTradeTransaction', [
      ...invoice.lines.map((line) =>
        el('ram:IncludedSupplyChainTradeLineItem', [
          el('ram:AssociatedDocumentLineDocument', [el('ram:LineID', line['BT-126'])]),
          el('ram:SpecifiedTradeProduct', [el('ram:Name', line['BT-153']), el('ram:Description', line['BT-154'])]),
          el('ram:SpecifiedLineTradeAgreement', [el('ram:NetPriceProductTradePrice', [el('ram:ChargeAmount', line['BT-146'])])]),
          el('ram:SpecifiedLineTradeDelivery', [el('ram:BilledQuantity', line['BT-129'], { unitCode: line['BT-130'] })]),
          el('ram:SpecifiedLineTradeSettlement', [
            el('ram:ApplicableTradeTax', [
              el('ram:TypeCode', 'VAT'),
              el('ram:CategoryCode', line['BT-151']),
              el('ram:RateApplicablePercent', line['BT-152']),
            ]),
            el('ram:SpecifiedTradeSettlementLineMonetarySummation', [el('ram:LineTotalAmount', line['BT-131'])]),
          ]),
        ]),
      ),
      el('ram:ApplicableHeaderTradeAgreement', [
        el('ram:BuyerReference', f['BT-10']),
        ciiParty('ram:SellerTradeParty', seller(f)),
        ciiParty('ram:BuyerTradeParty', buyer(f)),
        el('ram:BuyerOrderReferencedDocument', [el('ram:IssuerAssignedID', f['BT-13'])]),
        el('ram:ContractReferencedDocument', [el('ram:IssuerAssignedID', f['BT-12'])]),
      ]),
      // An empty delivery group is mandatory in CII, so it is written even without a date.
      `<ram:ApplicableHeaderTradeDelivery>${el('ram:ActualDeliverySupplyChainEvent', [
        ciiDateTime('ram:OccurrenceDateTime', f['BT-72']),
      ])}</ram:ApplicableHeaderTradeDelivery>`,
      el('ram:ApplicableHeaderTradeSettlement', [
        el('ram:PaymentReference', f['BT-83']),
        el('ram:InvoiceCurrencyCode', currency),
        el('ram:SpecifiedTradeSettlementPaymentMeans', [
          el('ram:TypeCode', f['BT-81']),
          el('ram:PayeePartyCreditorFinancialAccount', [el('ram:IBANID', f['BT-84'])]),
          el('ram:PayeeSpecifiedCreditorFinancialInstitution', [el('ram:BICID', f['BT-86'])]),
        ]),
        ...invoice.vatBreakdown.map((vat) =>
          el('ram:ApplicableTradeTax', [
            el('ram:CalculatedAmount', vat['BT-117']),
            el('ram:TypeCode', 'VAT'),
            el('ram:ExemptionReason', vat['BT-120']),
            el('ram:BasisAmount', vat['BT-116']),
            el('ram:CategoryCode', vat['BT-118']),
            el('ram:ExemptionReasonCode', vat['BT-121']),
            el('ram:RateApplicablePercent', vat['BT-119']),
          ]),
        ),
        ...invoice.allowances.map((a) => allowanceCharge(a, false)),
        ...invoice.charges.map((c) => allowanceCharge(c, true)),
        el('ram:SpecifiedTradePaymentTerms', [el('ram:Description', f['BT-20']), ciiDateTime('ram:DueDateDateTime', f['BT-9'])]),
        el('ram:SpecifiedTradeSettlementHeaderMonetarySummation', [
          amount('ram:LineTotalAmount', f['BT-106']),
          amount('ram:ChargeTotalAmount', f['BT-108']),
          amount('ram:AllowanceTotalAmount', f['BT-107']),
          amount('ram:TaxBasisTotalAmount', f['BT-109']),
          el('ram:TaxTotalAmount', f['BT-110'], { currencyID: currency }),
          amount('ram:RoundingAmount', f['BT-114']),
          amount('ram:GrandTotalAmount', f['BT-112']),
          amount('ram:TotalPrepaidAmount', f['BT-113']),
          amount('ram:DuePayableAmount', f['BT-115']),
        ]),
      ]),
    ]),
  ].join('')}</rsm:CrossIndustryInvoice>\n`;
}

// ---------------------------------------------------------------- UBL 2.1 Invoice / CreditNote

function ublParty(name: string, p: PartyIds): string {
  return el(name, [
    el('cac:Party', [
      el('cbc:EndpointID', p.electronic, { schemeID: 'EM' }),
      el('cac:PartyIdentification', [el('cbc:ID', p.identifier)]),
      el('cac:PartyName', [el('cbc:Name', p.tradingName)]),
      el('cac:PostalAddress', [
        el('cbc:StreetName', p.line1),
        el('cbc:CityName', p.city),
        el('cbc:PostalZone', p.postCode),
        el('cac:Country', [el('cbc:IdentificationCode', p.country)]),
      ]),
      p.vat ? el('cac:PartyTaxScheme', [el('cbc:CompanyID', p.vat), el('cac:TaxScheme', [el('cbc:ID', 'VAT')])]) : '',
      el('cac:PartyLegalEntity', [el('cbc:RegistrationName', p.name), el('cbc:CompanyID', p.legal)]),
    ]),
  ]);
}

export function writeUbl(invoice: InvoiceContent): string {
  const f = invoice.fields;
  const creditNote = f['BT-3'] === '381';
  const root = creditNote ? 'CreditNote' : 'Invoice';
  const currency = f['BT-5'];
  const money = (name: string, value: string | undefined) => el(name, value, { currencyID: currency });
  const taxCategory = (name: string, category: string | undefined, rate: string | undefined, extra: string[] = []) =>
    el(name, [
      el('cbc:ID', category),
      el('cbc:Percent', rate),
      ...extra,
      category || rate ? el('cac:TaxScheme', [el('cbc:ID', 'VAT')]) : '',
    ]);
  const allowanceCharge = (record: TermRecord, charge: boolean) => {
    const [amountId, baseId, percentId, categoryId, rateId, reasonId, codeId] = charge
      ? (['BT-99', 'BT-100', 'BT-101', 'BT-102', 'BT-103', 'BT-104', 'BT-105'] as const)
      : (['BT-92', 'BT-93', 'BT-94', 'BT-95', 'BT-96', 'BT-97', 'BT-98'] as const);
    return el('cac:AllowanceCharge', [
      el('cbc:ChargeIndicator', String(charge)),
      el('cbc:AllowanceChargeReasonCode', record[codeId]),
      el('cbc:AllowanceChargeReason', record[reasonId]),
      el('cbc:MultiplierFactorNumeric', record[percentId]),
      money('cbc:Amount', record[amountId]),
      money('cbc:BaseAmount', record[baseId]),
      taxCategory('cac:TaxCategory', record[categoryId], record[rateId]),
    ]);
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:${root}-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">${[
    el('cbc:CustomizationID', f['BT-24']),
    el('cbc:ProfileID', f['BT-23']),
    el('cbc:ID', f['BT-1']),
    el('cbc:IssueDate', f['BT-2']),
    creditNote ? '' : el('cbc:DueDate', f['BT-9']),
    el(creditNote ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode', f['BT-3']),
    // UBL has no element for the subject code (BT-21); EN 16931 writes it as a `#CODE#` prefix.
    ...notesOf(invoice).map((note) => el('cbc:Note', note['BT-21'] ? `#${note['BT-21']}#${note['BT-22'] ?? ''}` : note['BT-22'])),
    el('cbc:DocumentCurrencyCode', currency),
    el('cbc:BuyerReference', f['BT-10']),
    el('cac:OrderReference', [el('cbc:ID', f['BT-13'])]),
    el('cac:ContractDocumentReference', [el('cbc:ID', f['BT-12'])]),
    ublParty('cac:AccountingSupplierParty', seller(f)),
    ublParty('cac:AccountingCustomerParty', buyer(f)),
    el('cac:Delivery', [el('cbc:ActualDeliveryDate', f['BT-72'])]),
    el('cac:PaymentMeans', [
      el('cbc:PaymentMeansCode', f['BT-81']),
      creditNote ? el('cbc:PaymentDueDate', f['BT-9']) : '',
      el('cbc:PaymentID', f['BT-83']),
      el('cac:PayeeFinancialAccount', [el('cbc:ID', f['BT-84']), el('cac:FinancialInstitutionBranch', [el('cbc:ID', f['BT-86'])])]),
    ]),
    el('cac:PaymentTerms', [el('cbc:Note', f['BT-20'])]),
    ...invoice.allowances.map((a) => allowanceCharge(a, false)),
    ...invoice.charges.map((c) => allowanceCharge(c, true)),
    el('cac:TaxTotal', [
      money('cbc:TaxAmount', f['BT-110']),
      ...invoice.vatBreakdown.map((vat) =>
        el('cac:TaxSubtotal', [
          money('cbc:TaxableAmount', vat['BT-116']),
          money('cbc:TaxAmount', vat['BT-117']),
          taxCategory('cac:TaxCategory', vat['BT-118'], vat['BT-119'], [
            el('cbc:TaxExemptionReasonCode', vat['BT-121']),
            el('cbc:TaxExemptionReason', vat['BT-120']),
          ]),
        ]),
      ),
    ]),
    el('cac:LegalMonetaryTotal', [
      money('cbc:LineExtensionAmount', f['BT-106']),
      money('cbc:TaxExclusiveAmount', f['BT-109']),
      money('cbc:TaxInclusiveAmount', f['BT-112']),
      money('cbc:AllowanceTotalAmount', f['BT-107']),
      money('cbc:ChargeTotalAmount', f['BT-108']),
      money('cbc:PrepaidAmount', f['BT-113']),
      money('cbc:PayableRoundingAmount', f['BT-114']),
      money('cbc:PayableAmount', f['BT-115']),
    ]),
    ...invoice.lines.map((line) =>
      el(`cac:${root}Line`, [
        el('cbc:ID', line['BT-126']),
        el(creditNote ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', line['BT-129'], { unitCode: line['BT-130'] }),
        money('cbc:LineExtensionAmount', line['BT-131']),
        el('cac:Item', [
          el('cbc:Description', line['BT-154']),
          el('cbc:Name', line['BT-153']),
          taxCategory('cac:ClassifiedTaxCategory', line['BT-151'], line['BT-152']),
        ]),
        el('cac:Price', [money('cbc:PriceAmount', line['BT-146'])]),
      ]),
    ),
  ].join('')}</${root}>\n`;
}

// ---------------------------------------------------------------- Factur-X PDF (pdf-lib)

export interface FacturXOptions {
  /** The embedded file's name; `factur-x.xml` by default. */
  readonly attachmentName?: string;
  /** The lines printed on the page; by default the invoice's number, date, parties and total. */
  readonly visibleText?: readonly string[];
  /** Other files to embed next to the invoice (delivery notes, …), embedded first. */
  readonly otherAttachments?: ReadonlyArray<{ name: string; content: Uint8Array }>;
  /** The invoice XML; by default `writeCii(invoice)`. */
  readonly xml?: string;
}

const frenchDate = (iso: string | undefined) => (iso ? iso.split('-').reverse().join('/') : '');
const frenchAmount = (amount: string | undefined) =>
  amount
    ? `${Number(amount)
        .toLocaleString('fr-FR', { minimumFractionDigits: 2 })
        .replace(/\u202f|\u00a0/g, ' ')} €`
    : '';

export function visibleLines(invoice: InvoiceContent): string[] {
  const f = invoice.fields;
  return [
    `FACTURE N° ${f['BT-1'] ?? ''}`,
    `Date : ${frenchDate(f['BT-2'])}`,
    `Vendeur : ${f['BT-27'] ?? ''}`,
    `Client : ${f['BT-44'] ?? ''}`,
    ...invoice.lines.map((l) => `${l['BT-153'] ?? ''}  ${l['BT-129'] ?? ''} x ${frenchAmount(l['BT-146'])} = ${frenchAmount(l['BT-131'])}`),
    `Total HT : ${frenchAmount(f['BT-109'])}`,
    `TVA : ${frenchAmount(f['BT-110'])}`,
    `Total TTC : ${frenchAmount(f['BT-112'])}`,
  ];
}

/** A Factur-X PDF: one printed page and the XML as an associated file (AFRelationship Data). */
export async function writeFacturX(invoice: InvoiceContent, options: FacturXOptions = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const fixed = new Date('2026-01-01T00:00:00Z');
  pdf.setCreationDate(fixed);
  pdf.setModificationDate(fixed);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  let y = 800;
  for (const line of options.visibleText ?? visibleLines(invoice)) {
    // WinAnsi cannot encode every character a generated name may hold; the page is for reading only.
    page.drawText(line.replace(/[^\x20-\x7e\u00a0-\u00ff€]/g, '?'), { x: 50, y, size: 11, font });
    y -= 16;
  }
  for (const other of options.otherAttachments ?? []) {
    await pdf.attach(other.content, other.name, { mimeType: 'application/octet-stream', creationDate: fixed, modificationDate: fixed });
  }
  await pdf.attach(new TextEncoder().encode(options.xml ?? writeCii(invoice)), options.attachmentName ?? 'factur-x.xml', {
    mimeType: 'text/xml',
    description: 'Factur-X invoice',
    afRelationship: AFRelationship.Data,
    creationDate: fixed,
    modificationDate: fixed,
  });
  return pdf.save({ useObjectStreams: false });
}
