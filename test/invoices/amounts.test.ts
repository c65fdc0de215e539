import { describe, expect, it } from 'vitest';
import { displayedAmount, documentKind, isCreditNote } from '../../src/invoices/amounts.ts';

describe('amounts as people see them', () => {
  it('turns a credit note’s positive stored amounts negative, and leaves invoices alone', () => {
    expect(displayedAmount('233.47', '381')).toBe('-233.47');
    expect(displayedAmount('-233.47', '381')).toBe('233.47');
    expect(displayedAmount('0.00', '381')).toBe('0.00');
    expect(displayedAmount('+12', '261')).toBe('-12');
    expect(displayedAmount('233.47', '380')).toBe('233.47');
    expect(displayedAmount('233.47', undefined)).toBe('233.47');
    expect(displayedAmount(undefined, '381')).toBeUndefined();
  });

  it('names the document kind from BT-3', () => {
    expect(['380', '381', '384', '389', undefined].map(documentKind)).toEqual(['invoice', 'credit_note', 'corrected', 'other', 'invoice']);
    expect(isCreditNote('396')).toBe(true);
    expect(isCreditNote(null)).toBe(false);
  });
});
