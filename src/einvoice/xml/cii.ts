// UN/CEFACT Cross Industry Invoice: CII D16B (Factur-X, ZUGFeRD 2.x, XRechnung CII) and the older
// ZUGFeRD 1.0 "CrossIndustryDocument", which has the same parties but other names for the header,
// the agreement/delivery/settlement groups, the totals and the VAT rate.
import { BUYER_TERMS, compileBinding, partyPaths, SELLER_TERMS, type PartyRole, type SyntaxBinding } from './binding.ts';

export const CII_NAMESPACE_STEM = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:';
export const ZUGFERD1_NAMESPACE = 'urn:ferd:CrossIndustryDocument:invoice:1p0';
export const ZUGFERD1_NAMESPACE_STEM = 'urn:ferd:CrossIndustryDocument';
/** The root namespace of ZUGFeRD 1.0 release candidates (`rsm:Invoice`, BT-24 `urn:ferd:invoice:rc:…`). */
export const ZUGFERD1_RC_NAMESPACE = 'urn:un:unece:uncefact:data:standard:CBFBUY:5';

const CII_PARTY: Record<PartyRole, string> = {
  name: 'ram:Name',
  tradingName: 'ram:SpecifiedLegalOrganization/ram:TradingBusinessName',
  // BT-29 / BT-46 is the first identifier, whichever of the two kinds comes first in the schema.
  identifier: 'ram:ID | ram:GlobalID',
  legalRegistration: 'ram:SpecifiedLegalOrganization/ram:ID',
  vat: "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
  taxRegistration: "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']",
  electronicAddress: 'ram:URIUniversalCommunication/ram:URIID',
  line1: 'ram:PostalTradeAddress/ram:LineOne',
  line2: 'ram:PostalTradeAddress/ram:LineTwo',
  line3: 'ram:PostalTradeAddress/ram:LineThree',
  city: 'ram:PostalTradeAddress/ram:CityName',
  postCode: 'ram:PostalTradeAddress/ram:PostcodeCode',
  subdivision: 'ram:PostalTradeAddress/ram:CountrySubDivisionName',
  country: 'ram:PostalTradeAddress/ram:CountryID',
};

const ALLOWANCE_CHARGE_ROLES = {
  amount: 'ram:ActualAmount',
  baseAmount: 'ram:BasisAmount',
  percentage: 'ram:CalculationPercent',
  vatCategory: 'ram:CategoryTradeTax/ram:CategoryCode',
  reason: 'ram:Reason',
  reasonCode: 'ram:ReasonCode',
} as const;

/** The names that differ between CII D16B and ZUGFeRD 1.0; everything else is shared. */
interface CiiDialect {
  readonly syntax: 'cii' | 'zugferd1';
  readonly context: string;
  readonly document: string;
  readonly transaction: string;
  readonly agreement: string;
  readonly delivery: string;
  readonly settlement: string;
  readonly summation: string;
  readonly referencedDocumentId: string;
  readonly rate: string;
  readonly lineAgreement: string;
  readonly lineDelivery: string;
  readonly lineSettlement: string;
  readonly lineSummation: string;
}

const D16B: CiiDialect = {
  syntax: 'cii',
  context: 'rsm:ExchangedDocumentContext',
  document: 'rsm:ExchangedDocument',
  transaction: 'rsm:SupplyChainTradeTransaction',
  agreement: 'ram:ApplicableHeaderTradeAgreement',
  delivery: 'ram:ApplicableHeaderTradeDelivery',
  settlement: 'ram:ApplicableHeaderTradeSettlement',
  summation: 'ram:SpecifiedTradeSettlementHeaderMonetarySummation',
  referencedDocumentId: 'ram:IssuerAssignedID',
  rate: 'ram:RateApplicablePercent',
  lineAgreement: 'ram:SpecifiedLineTradeAgreement',
  lineDelivery: 'ram:SpecifiedLineTradeDelivery',
  lineSettlement: 'ram:SpecifiedLineTradeSettlement',
  lineSummation: 'ram:SpecifiedTradeSettlementLineMonetarySummation',
};

const ZUGFERD1: CiiDialect = {
  syntax: 'zugferd1',
  context: 'rsm:SpecifiedExchangedDocumentContext',
  document: 'rsm:HeaderExchangedDocument',
  transaction: 'rsm:SpecifiedSupplyChainTradeTransaction',
  agreement: 'ram:ApplicableSupplyChainTradeAgreement',
  delivery: 'ram:ApplicableSupplyChainTradeDelivery',
  settlement: 'ram:ApplicableSupplyChainTradeSettlement',
  summation: 'ram:SpecifiedTradeSettlementMonetarySummation',
  referencedDocumentId: 'ram:ID',
  rate: 'ram:ApplicablePercent',
  lineAgreement: 'ram:SpecifiedSupplyChainTradeAgreement',
  lineDelivery: 'ram:SpecifiedSupplyChainTradeDelivery',
  lineSettlement: 'ram:SpecifiedSupplyChainTradeSettlement',
  lineSummation: 'ram:SpecifiedTradeSettlementMonetarySummation',
};

function ciiBinding(d: CiiDialect): SyntaxBinding {
  const agreement = `${d.transaction}/${d.agreement}`;
  const delivery = `${d.transaction}/${d.delivery}`;
  const settlement = `${d.transaction}/${d.settlement}`;
  const summation = `${settlement}/${d.summation}`;
  const paymentMeans = `${settlement}/ram:SpecifiedTradeSettlementPaymentMeans`;
  const account = `${paymentMeans}/ram:PayeePartyCreditorFinancialAccount`;
  const taxRepresentative = `${agreement}/ram:SellerTaxRepresentativeTradeParty`;
  // ZUGFeRD 1.0 release candidates write the date directly in the DateTime element.
  const date = (element: string) => `${element}/udt:DateTimeString | ${element}`;
  return {
    syntax: d.syntax,
    header: {
      'BT-1': `${d.document}/ram:ID`,
      'BT-2': date(`${d.document}/ram:IssueDateTime`),
      'BT-3': `${d.document}/ram:TypeCode`,
      'BT-5': `${settlement}/ram:InvoiceCurrencyCode`,
      'BT-6': `${settlement}/ram:TaxCurrencyCode`,
      'BT-7': `${settlement}/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString`,
      'BT-8': `${settlement}/ram:ApplicableTradeTax/ram:DueDateTypeCode`,
      'BT-9': date(`${settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime`),
      'BT-10': `${agreement}/ram:BuyerReference`,
      'BT-11': `${agreement}/ram:SpecifiedProcuringProject/ram:ID`,
      'BT-12': `${agreement}/ram:ContractReferencedDocument/${d.referencedDocumentId}`,
      'BT-13': `${agreement}/ram:BuyerOrderReferencedDocument/${d.referencedDocumentId}`,
      'BT-14': `${agreement}/ram:SellerOrderReferencedDocument/${d.referencedDocumentId}`,
      'BT-19': `${settlement}/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID`,
      'BT-20': `${settlement}/ram:SpecifiedTradePaymentTerms/ram:Description`,
      'BT-22': `${d.document}/ram:IncludedNote/ram:Content`,
      'BT-23': `${d.context}/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID`,
      'BT-24': `${d.context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID`,
      'BT-25': `${settlement}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID`,
      ...partyPaths(`${agreement}/ram:SellerTradeParty`, CII_PARTY, SELLER_TERMS),
      ...partyPaths(`${agreement}/ram:BuyerTradeParty`, CII_PARTY, BUYER_TERMS),
      'BT-59': `${settlement}/ram:PayeeTradeParty/ram:Name`,
      'BT-62': `${taxRepresentative}/ram:Name`,
      'BT-63': `${taxRepresentative}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']`,
      'BT-69': `${taxRepresentative}/ram:PostalTradeAddress/ram:CountryID`,
      'BT-72': date(`${delivery}/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime`),
      'BT-73': date(`${settlement}/ram:BillingSpecifiedPeriod/ram:StartDateTime`),
      'BT-74': date(`${settlement}/ram:BillingSpecifiedPeriod/ram:EndDateTime`),
      'BT-80': `${delivery}/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID`,
      'BT-81': `${paymentMeans}/ram:TypeCode`,
      'BT-83': `${settlement}/ram:PaymentReference`,
      'BT-84': `${account}/ram:IBANID | ${account}/ram:ProprietaryID`,
      'BT-85': `${account}/ram:AccountName`,
      'BT-86': `${paymentMeans}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID`,
      'BT-90': `${settlement}/ram:CreditorReferenceID`,
      'BT-106': `${summation}/ram:LineTotalAmount`,
      'BT-107': `${summation}/ram:AllowanceTotalAmount`,
      'BT-108': `${summation}/ram:ChargeTotalAmount`,
      'BT-109': `${summation}/ram:TaxBasisTotalAmount`,
      'BT-110': `${summation}/ram:TaxTotalAmount`,
      'BT-111': `${summation}/ram:TaxTotalAmount`,
      'BT-112': `${summation}/ram:GrandTotalAmount`,
      'BT-113': `${summation}/ram:TotalPrepaidAmount`,
      'BT-114': `${summation}/ram:RoundingAmount`,
      'BT-115': `${summation}/ram:DuePayableAmount`,
    },
    groups: {
      'BG-3': `${settlement}/ram:InvoiceReferencedDocument`,
      'BG-5': `${agreement}/ram:SellerTradeParty/ram:PostalTradeAddress`,
      'BG-8': `${agreement}/ram:BuyerTradeParty/ram:PostalTradeAddress`,
      'BG-10': `${settlement}/ram:PayeeTradeParty`,
      'BG-11': taxRepresentative,
      'BG-12': `${taxRepresentative}/ram:PostalTradeAddress`,
      'BG-14': `${settlement}/ram:BillingSpecifiedPeriod`,
      'BG-15': `${delivery}/ram:ShipToTradeParty/ram:PostalTradeAddress`,
      'BG-16': paymentMeans,
    },
    allowanceCharge: {
      path: `${settlement}/ram:SpecifiedTradeAllowanceCharge`,
      chargeIndicator: 'ram:ChargeIndicator/udt:Indicator',
      roles: { ...ALLOWANCE_CHARGE_ROLES, vatRate: `ram:CategoryTradeTax/${d.rate}` },
    },
    notes: {
      path: `${d.document}/ram:IncludedNote`,
      terms: { 'BT-21': 'ram:SubjectCode', 'BT-22': 'ram:Content' },
    },
    vatBreakdown: {
      path: `${settlement}/ram:ApplicableTradeTax`,
      terms: {
        'BT-116': 'ram:BasisAmount',
        'BT-117': 'ram:CalculatedAmount',
        'BT-118': 'ram:CategoryCode',
        'BT-119': d.rate,
        'BT-120': 'ram:ExemptionReason',
        'BT-121': 'ram:ExemptionReasonCode',
      },
    },
    lines: {
      path: `${d.transaction}/ram:IncludedSupplyChainTradeLineItem`,
      terms: {
        'BT-126': 'ram:AssociatedDocumentLineDocument/ram:LineID',
        'BT-127': 'ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content',
        'BT-129': `${d.lineDelivery}/ram:BilledQuantity`,
        'BT-130': `${d.lineDelivery}/ram:BilledQuantity/@unitCode`,
        'BT-131': `${d.lineSettlement}/${d.lineSummation}/ram:LineTotalAmount`,
        'BT-146': `${d.lineAgreement}/ram:NetPriceProductTradePrice/ram:ChargeAmount`,
        'BT-147': `${d.lineAgreement}/ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount`,
        'BT-148': `${d.lineAgreement}/ram:GrossPriceProductTradePrice/ram:ChargeAmount`,
        'BT-149': `${d.lineAgreement}/ram:NetPriceProductTradePrice/ram:BasisQuantity`,
        'BT-151': `${d.lineSettlement}/ram:ApplicableTradeTax/ram:CategoryCode`,
        'BT-152': `${d.lineSettlement}/ram:ApplicableTradeTax/${d.rate}`,
        'BT-153': 'ram:SpecifiedTradeProduct/ram:Name',
        'BT-154': 'ram:SpecifiedTradeProduct/ram:Description',
        'BT-155': 'ram:SpecifiedTradeProduct/ram:SellerAssignedID',
        'BT-157': 'ram:SpecifiedTradeProduct/ram:GlobalID',
      },
    },
  };
}

export const CII_BINDING = compileBinding(ciiBinding(D16B));
export const ZUGFERD1_BINDING = compileBinding(ciiBinding(ZUGFERD1));
