// Amounts as people see them. The stored model keeps EN 16931's convention (a credit note, type
// 381, carries positive amounts, its type saying which way the money goes), whichever way the
// invoice was read (XML, a PDF's text, a scan); everywhere a person sees a total (inbox, review,
// dashboard, exports) a credit note's is shown negative. This is the one function that decides the
// sign: pure, for the pages, the API's readers and the exports alike.
import { CREDIT_NOTE_TYPES } from '../einvoice/model.ts';

/** UNTDID 1001 code of a credit note (381 and its kin). */
export function isCreditNote(typeCode: string | undefined | null): boolean {
  return typeCode != null && CREDIT_NOTE_TYPES.has(typeCode);
}

/**
 * The stored decimal string with the sign people should see: negated for a credit note, as is
 * otherwise; undefined stays undefined. "0" stays "0", "-5.00" of a credit note becomes "5.00".
 */
export function displayedAmount(amount: string | undefined, typeCode: string | undefined | null): string | undefined {
  if (amount === undefined || !isCreditNote(typeCode)) return amount;
  const trimmed = amount.trim();
  if (/^[+-]?0*(\.0*)?$/.test(trimmed)) return trimmed.replace(/^[+-]/, '');
  return trimmed.startsWith('-') ? trimmed.slice(1) : `-${trimmed.replace(/^\+/, '')}`;
}

/** What kind of document BT-3 names, in the three words the inbox shows. */
export type DocumentKind = 'invoice' | 'credit_note' | 'corrected' | 'other';

const KINDS: Readonly<Record<string, DocumentKind>> = { '380': 'invoice', '384': 'corrected' };

export function documentKind(typeCode: string | undefined | null): DocumentKind {
  if (typeCode == null) return 'invoice';
  if (isCreditNote(typeCode)) return 'credit_note';
  return KINDS[typeCode] ?? 'other';
}
