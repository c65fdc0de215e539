// OASIS UBL 2.1 Invoice and CreditNote, as bound to EN 16931 (Peppol BIS, XRechnung UBL). The two
// document types differ only by a few element names, written here as `|` alternatives.
import { BUYER_TERMS, compileBinding, partyPaths, SELLER_TERMS, type PartyRole } from './binding.ts';

export const UBL_INVOICE_NAMESPACE = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';
export const UBL_CREDIT_NOTE_NAMESPACE = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2';

const UBL_PARTY: Record<PartyRole, string> = {
  name: 'cac:PartyLegalEntity/cbc:RegistrationName',
  tradingName: 'cac:PartyName/cbc:Name',
  // The SEPA creditor id (BT-90) is written as one more PartyIdentification: BT-29 is the first
  // other one. A party whose only identification is the SEPA one keeps it (as the reference labels do).
  identifier: "cac:PartyIdentification/cbc:ID[@schemeID!='SEPA'] | cac:PartyIdentification/cbc:ID",
  legalRegistration: 'cac:PartyLegalEntity/cbc:CompanyID',
  vat: "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
  taxRegistration: "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID",
  electronicAddress: 'cbc:EndpointID',
  line1: 'cac:PostalAddress/cbc:StreetName',
  line2: 'cac:PostalAddress/cbc:AdditionalStreetName',
  line3: 'cac:PostalAddress/cac:AddressLine/cbc:Line',
  city: 'cac:PostalAddress/cbc:CityName',
  postCode: 'cac:PostalAddress/cbc:PostalZone',
  subdivision: 'cac:PostalAddress/cbc:CountrySubentity',
  country: 'cac:PostalAddress/cac:Country/cbc:IdentificationCode',
};

const seller = 'cac:AccountingSupplierParty/cac:Party';
const totals = 'cac:LegalMonetaryTotal';
const account = 'cac:PaymentMeans/cac:PayeeFinancialAccount';

export const UBL_BINDING = compileBinding({
  syntax: 'ubl',
  header: {
    'BT-1': 'cbc:ID',
    'BT-2': 'cbc:IssueDate',
    'BT-3': 'cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode',
    'BT-5': 'cbc:DocumentCurrencyCode',
    'BT-6': 'cbc:TaxCurrencyCode',
    'BT-7': 'cbc:TaxPointDate',
    'BT-8': 'cac:InvoicePeriod/cbc:DescriptionCode',
    // A UBL 2.1 CreditNote has no DueDate; EN 16931 binds BT-9 to the payment means there.
    'BT-9': 'cbc:DueDate | cac:PaymentMeans/cbc:PaymentDueDate',
    'BT-10': 'cbc:BuyerReference',
    'BT-11': 'cac:ProjectReference/cbc:ID',
    'BT-12': 'cac:ContractDocumentReference/cbc:ID',
    'BT-13': 'cac:OrderReference/cbc:ID',
    'BT-14': 'cac:OrderReference/cbc:SalesOrderID',
    'BT-19': 'cbc:AccountingCost',
    'BT-20': 'cac:PaymentTerms/cbc:Note',
    'BT-22': 'cbc:Note',
    'BT-23': 'cbc:ProfileID',
    'BT-24': 'cbc:CustomizationID',
    'BT-25': 'cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID',
    ...partyPaths(seller, UBL_PARTY, SELLER_TERMS),
    ...partyPaths('cac:AccountingCustomerParty/cac:Party', UBL_PARTY, BUYER_TERMS),
    'BT-59': 'cac:PayeeParty/cac:PartyName/cbc:Name',
    'BT-62': 'cac:TaxRepresentativeParty/cac:PartyName/cbc:Name',
    'BT-63': "cac:TaxRepresentativeParty/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
    'BT-69': 'cac:TaxRepresentativeParty/cac:PostalAddress/cac:Country/cbc:IdentificationCode',
    'BT-72': 'cac:Delivery/cbc:ActualDeliveryDate',
    'BT-73': 'cac:InvoicePeriod/cbc:StartDate',
    'BT-74': 'cac:InvoicePeriod/cbc:EndDate',
    'BT-80': 'cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode',
    'BT-81': 'cac:PaymentMeans/cbc:PaymentMeansCode',
    'BT-83': 'cac:PaymentMeans/cbc:PaymentID',
    'BT-84': `${account}/cbc:ID`,
    'BT-85': `${account}/cbc:Name`,
    'BT-86': `${account}/cac:FinancialInstitutionBranch/cbc:ID`,
    'BT-90': `${seller}/cac:PartyIdentification/cbc:ID[@schemeID='SEPA'] | cac:PayeeParty/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']`,
    'BT-106': `${totals}/cbc:LineExtensionAmount`,
    'BT-107': `${totals}/cbc:AllowanceTotalAmount`,
    'BT-108': `${totals}/cbc:ChargeTotalAmount`,
    'BT-109': `${totals}/cbc:TaxExclusiveAmount`,
    'BT-110': 'cac:TaxTotal/cbc:TaxAmount',
    'BT-111': 'cac:TaxTotal/cbc:TaxAmount',
    'BT-112': `${totals}/cbc:TaxInclusiveAmount`,
    'BT-113': `${totals}/cbc:PrepaidAmount`,
    'BT-114': `${totals}/cbc:PayableRoundingAmount`,
    'BT-115': `${totals}/cbc:PayableAmount`,
  },
  groups: {
    'BG-3': 'cac:BillingReference',
    'BG-5': `${seller}/cac:PostalAddress`,
    'BG-8': 'cac:AccountingCustomerParty/cac:Party/cac:PostalAddress',
    'BG-10': 'cac:PayeeParty',
    'BG-11': 'cac:TaxRepresentativeParty',
    'BG-12': 'cac:TaxRepresentativeParty/cac:PostalAddress',
    'BG-14': 'cac:InvoicePeriod',
    'BG-15': 'cac:Delivery/cac:DeliveryLocation/cac:Address',
    'BG-16': 'cac:PaymentMeans',
  },
  allowanceCharge: {
    path: 'cac:AllowanceCharge',
    chargeIndicator: 'cbc:ChargeIndicator',
    roles: {
      amount: 'cbc:Amount',
      baseAmount: 'cbc:BaseAmount',
      percentage: 'cbc:MultiplierFactorNumeric',
      vatCategory: 'cac:TaxCategory/cbc:ID',
      vatRate: 'cac:TaxCategory/cbc:Percent',
      reason: 'cbc:AllowanceChargeReason',
      reasonCode: 'cbc:AllowanceChargeReasonCode',
    },
  },
  notes: { path: 'cbc:Note', terms: { 'BT-22': '.' }, subjectInPrefix: true },
  vatBreakdown: {
    path: 'cac:TaxTotal/cac:TaxSubtotal',
    terms: {
      'BT-116': 'cbc:TaxableAmount',
      'BT-117': 'cbc:TaxAmount',
      'BT-118': 'cac:TaxCategory/cbc:ID',
      'BT-119': 'cac:TaxCategory/cbc:Percent',
      'BT-120': 'cac:TaxCategory/cbc:TaxExemptionReason',
      'BT-121': 'cac:TaxCategory/cbc:TaxExemptionReasonCode',
    },
  },
  lines: {
    path: 'cac:InvoiceLine | cac:CreditNoteLine',
    terms: {
      'BT-126': 'cbc:ID',
      'BT-127': 'cbc:Note',
      'BT-129': 'cbc:InvoicedQuantity | cbc:CreditedQuantity',
      'BT-130': 'cbc:InvoicedQuantity/@unitCode | cbc:CreditedQuantity/@unitCode',
      'BT-131': 'cbc:LineExtensionAmount',
      'BT-146': 'cac:Price/cbc:PriceAmount',
      'BT-147': 'cac:Price/cac:AllowanceCharge/cbc:Amount',
      'BT-148': 'cac:Price/cac:AllowanceCharge/cbc:BaseAmount',
      'BT-149': 'cac:Price/cbc:BaseQuantity',
      'BT-151': 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID',
      'BT-152': 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent',
      'BT-153': 'cac:Item/cbc:Name',
      'BT-154': 'cac:Item/cbc:Description',
      'BT-155': 'cac:Item/cac:SellersItemIdentification/cbc:ID',
      'BT-157': 'cac:Item/cac:StandardItemIdentification/cbc:ID',
    },
  },
});
