// The normalised invoice (docs/architecture.md): one shape for every syntax Facteur reads, keyed by the
// EN 16931 business-term ids so that a CII file and its UBL twin give the same object.
import { z } from 'zod';

// The pages import this model (the review screen, the inbox's amounts), under a Content-Security-
// Policy without 'unsafe-eval': zod's compiled parsers probe `new Function` when a schema is built,
// which the browser reports as a violation. Parsing without them is fast enough for one invoice.
z.config({ jitless: true });

/** How a business term's text is normalised and checked. */
export type TermType =
  | 'text' // trimmed, kept as written (document numbers too: "018304 / 28865" is printed so)
  | 'identifier' // registration, VAT and account ids: as printed, without spaces
  | 'code' // trimmed
  | 'date' // YYYY-MM-DD
  | 'amount' // decimal string, BR-DEC: at most two fraction digits
  | 'unitPrice' // decimal string, any precision (BT-146, BT-147, BT-148)
  | 'quantity' // decimal string, any precision
  | 'percent'; // decimal string

interface Term {
  readonly name: string;
  readonly type: TermType;
}

/** The business terms Facteur extracts, with the spec's own names. */
export const TERMS = {
  // Header (BG-1, BG-2, BG-3)
  'BT-1': { name: 'Invoice number', type: 'text' },
  'BT-2': { name: 'Invoice issue date', type: 'date' },
  'BT-3': { name: 'Invoice type code', type: 'code' },
  'BT-5': { name: 'Invoice currency code', type: 'code' },
  'BT-6': { name: 'VAT accounting currency code', type: 'code' },
  'BT-7': { name: 'Value added tax point date', type: 'date' },
  'BT-8': { name: 'Value added tax point date code', type: 'code' },
  'BT-9': { name: 'Payment due date', type: 'date' },
  'BT-10': { name: 'Buyer reference', type: 'text' },
  'BT-11': { name: 'Project reference', type: 'text' },
  'BT-12': { name: 'Contract reference', type: 'text' },
  'BT-13': { name: 'Purchase order reference', type: 'text' },
  'BT-14': { name: 'Sales order reference', type: 'text' },
  'BT-19': { name: 'Buyer accounting reference', type: 'text' },
  'BT-20': { name: 'Payment terms', type: 'text' },
  'BT-21': { name: 'Invoice note subject code', type: 'code' },
  'BT-22': { name: 'Invoice note', type: 'text' },
  'BT-23': { name: 'Business process type', type: 'text' },
  'BT-24': { name: 'Specification identifier', type: 'text' },
  'BT-25': { name: 'Preceding Invoice reference', type: 'text' },
  // Seller (BG-4, BG-5)
  'BT-27': { name: 'Seller name', type: 'text' },
  'BT-28': { name: 'Seller trading name', type: 'text' },
  'BT-29': { name: 'Seller identifier', type: 'identifier' },
  'BT-30': { name: 'Seller legal registration identifier', type: 'identifier' },
  'BT-31': { name: 'Seller VAT identifier', type: 'identifier' },
  // Free text in practice ("Godkänd för F-skatt"), so its spaces are kept.
  'BT-32': { name: 'Seller tax registration identifier', type: 'text' },
  'BT-34': { name: 'Seller electronic address', type: 'text' },
  'BT-35': { name: 'Seller address line 1', type: 'text' },
  'BT-36': { name: 'Seller address line 2', type: 'text' },
  'BT-162': { name: 'Seller address line 3', type: 'text' },
  'BT-37': { name: 'Seller city', type: 'text' },
  'BT-38': { name: 'Seller post code', type: 'text' },
  'BT-39': { name: 'Seller country subdivision', type: 'text' },
  'BT-40': { name: 'Seller country code', type: 'code' },
  // Buyer (BG-7, BG-8)
  'BT-44': { name: 'Buyer name', type: 'text' },
  'BT-45': { name: 'Buyer trading name', type: 'text' },
  'BT-46': { name: 'Buyer identifier', type: 'identifier' },
  'BT-47': { name: 'Buyer legal registration identifier', type: 'identifier' },
  'BT-48': { name: 'Buyer VAT identifier', type: 'identifier' },
  'BT-49': { name: 'Buyer electronic address', type: 'text' },
  'BT-50': { name: 'Buyer address line 1', type: 'text' },
  'BT-51': { name: 'Buyer address line 2', type: 'text' },
  'BT-163': { name: 'Buyer address line 3', type: 'text' },
  'BT-52': { name: 'Buyer city', type: 'text' },
  'BT-53': { name: 'Buyer post code', type: 'text' },
  'BT-54': { name: 'Buyer country subdivision', type: 'text' },
  'BT-55': { name: 'Buyer country code', type: 'code' },
  // Payee (BG-10) and Seller tax representative (BG-11, BG-12)
  'BT-59': { name: 'Payee name', type: 'text' },
  'BT-62': { name: 'Seller tax representative name', type: 'text' },
  'BT-63': { name: 'Seller tax representative VAT identifier', type: 'identifier' },
  'BT-69': { name: 'Tax representative country code', type: 'code' },
  // Delivery (BG-13, BG-14, BG-15)
  'BT-72': { name: 'Actual delivery date', type: 'date' },
  'BT-73': { name: 'Invoicing period start date', type: 'date' },
  'BT-74': { name: 'Invoicing period end date', type: 'date' },
  'BT-80': { name: 'Deliver to country code', type: 'code' },
  // Payment (BG-16, BG-17)
  'BT-81': { name: 'Payment means type code', type: 'code' },
  'BT-83': { name: 'Remittance information', type: 'text' },
  'BT-84': { name: 'Payment account identifier', type: 'identifier' },
  'BT-85': { name: 'Payment account name', type: 'text' },
  'BT-86': { name: 'Payment service provider identifier', type: 'identifier' },
  'BT-90': { name: 'Bank assigned creditor identifier', type: 'identifier' },
  // Document totals (BG-22)
  'BT-106': { name: 'Sum of Invoice line net amount', type: 'amount' },
  'BT-107': { name: 'Sum of allowances on document level', type: 'amount' },
  'BT-108': { name: 'Sum of charges on document level', type: 'amount' },
  'BT-109': { name: 'Invoice total amount without VAT', type: 'amount' },
  'BT-110': { name: 'Invoice total VAT amount', type: 'amount' },
  'BT-111': { name: 'Invoice total VAT amount in accounting currency', type: 'amount' },
  'BT-112': { name: 'Invoice total amount with VAT', type: 'amount' },
  'BT-113': { name: 'Paid amount', type: 'amount' },
  'BT-114': { name: 'Rounding amount', type: 'amount' },
  'BT-115': { name: 'Amount due for payment', type: 'amount' },
  // Document level allowances (BG-20) and charges (BG-21)
  'BT-92': { name: 'Document level allowance amount', type: 'amount' },
  'BT-93': { name: 'Document level allowance base amount', type: 'amount' },
  'BT-94': { name: 'Document level allowance percentage', type: 'percent' },
  'BT-95': { name: 'Document level allowance VAT category code', type: 'code' },
  'BT-96': { name: 'Document level allowance VAT rate', type: 'percent' },
  'BT-97': { name: 'Document level allowance reason', type: 'text' },
  'BT-98': { name: 'Document level allowance reason code', type: 'code' },
  'BT-99': { name: 'Document level charge amount', type: 'amount' },
  'BT-100': { name: 'Document level charge base amount', type: 'amount' },
  'BT-101': { name: 'Document level charge percentage', type: 'percent' },
  'BT-102': { name: 'Document level charge VAT category code', type: 'code' },
  'BT-103': { name: 'Document level charge VAT rate', type: 'percent' },
  'BT-104': { name: 'Document level charge reason', type: 'text' },
  'BT-105': { name: 'Document level charge reason code', type: 'code' },
  // VAT breakdown (BG-23)
  'BT-116': { name: 'VAT category taxable amount', type: 'amount' },
  'BT-117': { name: 'VAT category tax amount', type: 'amount' },
  'BT-118': { name: 'VAT category code', type: 'code' },
  'BT-119': { name: 'VAT category rate', type: 'percent' },
  'BT-120': { name: 'VAT exemption reason text', type: 'text' },
  'BT-121': { name: 'VAT exemption reason code', type: 'code' },
  // Invoice line (BG-25, BG-29, BG-30, BG-31)
  'BT-126': { name: 'Invoice line identifier', type: 'text' },
  'BT-127': { name: 'Invoice line note', type: 'text' },
  'BT-129': { name: 'Invoiced quantity', type: 'quantity' },
  'BT-130': { name: 'Invoiced quantity unit of measure code', type: 'code' },
  'BT-131': { name: 'Invoice line net amount', type: 'amount' },
  'BT-146': { name: 'Item net price', type: 'unitPrice' },
  'BT-147': { name: 'Item price discount', type: 'unitPrice' },
  'BT-148': { name: 'Item gross price', type: 'unitPrice' },
  'BT-149': { name: 'Item price base quantity', type: 'quantity' },
  'BT-151': { name: 'Invoiced item VAT category code', type: 'code' },
  'BT-152': { name: 'Invoiced item VAT rate', type: 'percent' },
  'BT-153': { name: 'Item name', type: 'text' },
  'BT-154': { name: 'Item description', type: 'text' },
  'BT-155': { name: "Item Seller's identifier", type: 'identifier' },
  'BT-157': { name: 'Item standard identifier', type: 'identifier' },
} as const satisfies Record<string, Term>;

export type TermId = keyof typeof TERMS;

export function termType(id: string): TermType | undefined {
  return (TERMS as Record<string, Term>)[id]?.type;
}

/** The group a repeated record belongs to; its keys are the terms of that group. */
export type TermRecord = Partial<Record<TermId, string>>;

export const FORMATS = ['facturx', 'zugferd1', 'cii', 'ubl', 'pdf-text', 'ocr'] as const;
export type InvoiceFormat = (typeof FORMATS)[number];

export const SYNTAXES = ['cii', 'ubl', 'zugferd1'] as const;
/** The XML vocabulary the data was read from. */
export type Syntax = (typeof SYNTAXES)[number];

/** The Factur-X / ZUGFeRD / EN 16931 conformance level named by BT-24. */
export const PROFILE_LEVELS = ['MINIMUM', 'BASIC WL', 'BASIC', 'EN16931', 'EXTENDED', 'XRECHNUNG', 'PEPPOL', 'ZUGFeRD1'] as const;
export type ProfileLevel = (typeof PROFILE_LEVELS)[number];

/** Document type codes (UNTDID 1001) of credit notes, on which nothing is due to the seller;
 * their amounts are positive like an invoice's (EN 16931), the type saying which way the money goes. */
export const CREDIT_NOTE_TYPES: ReadonlySet<string> = new Set(['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '532']);

export type Severity = 'error' | 'warning';

export interface Finding {
  /** The rule's id as the spec names it (`BR-CO-15`, `BR-FR-…`), or `FACTEUR-…` for our own checks. */
  readonly rule: string;
  readonly severity: Severity;
  /** In English, for logs and the CLI; people read the catalogue's sentence (validate/messages.ts). */
  readonly message: string;
  /** The values the sentence names (`actual`, `expected`, `term`, `code`…), as plain strings. */
  readonly values?: Readonly<Record<string, string>>;
}

export interface InvoiceSource {
  readonly container: 'pdf' | 'xml' | 'image';
  readonly syntax?: Syntax;
  /** The name of the embedded file the data was read from, for a hybrid PDF. */
  readonly attachment?: string;
  readonly pages?: number;
  /** UBL's document type; a CreditNote's amount due is credited, not asked for. */
  readonly ublDocument?: 'Invoice' | 'CreditNote';
}

export interface NormalisedInvoice {
  format: InvoiceFormat;
  /** BT-24 as written. */
  profile?: string;
  /** BT-24 recognised leniently; absent when BT-24 is absent or unknown. */
  profileLevel?: ProfileLevel;
  source: InvoiceSource;
  /** Header terms. BT-22 is the first note as written; `notes` has them all. */
  fields: TermRecord;
  /** BG-1, every note with its subject code (BT-21, e.g. the French PMT, PMD, AAB mentions). */
  notes: TermRecord[];
  /** BG-20 */
  allowances: TermRecord[];
  /** BG-21 */
  charges: TermRecord[];
  /** BG-23 */
  vatBreakdown: TermRecord[];
  /** BG-25 */
  lines: TermRecord[];
  confidence: Partial<Record<TermId, number>>;
  validation: Finding[];
}

const TERM_IDS = Object.keys(TERMS) as [TermId, ...TermId[]];
const termRecord = z.partialRecord(z.enum(TERM_IDS), z.string());

/** The JSON contract in docs/architecture.md, for whoever reads a stored invoice back. */
export const normalisedInvoiceSchema = z.object({
  format: z.enum(FORMATS),
  profile: z.string().optional(),
  profileLevel: z.enum(PROFILE_LEVELS).optional(),
  source: z.object({
    container: z.enum(['pdf', 'xml', 'image']),
    syntax: z.enum(SYNTAXES).optional(),
    attachment: z.string().optional(),
    pages: z.number().int().nonnegative().optional(),
    ublDocument: z.enum(['Invoice', 'CreditNote']).optional(),
  }),
  fields: termRecord,
  notes: z.array(termRecord),
  allowances: z.array(termRecord),
  charges: z.array(termRecord),
  vatBreakdown: z.array(termRecord),
  lines: z.array(termRecord),
  confidence: z.partialRecord(z.enum(TERM_IDS), z.number().min(0).max(1)),
  validation: z.array(
    z.object({
      rule: z.string(),
      severity: z.enum(['error', 'warning']),
      message: z.string(),
      values: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
