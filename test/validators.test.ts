import { describe, expect, it } from 'vitest';
import { choiceFrom, invoiceIdFrom, jobStatusFrom, pageCursorFrom, pageLimitFrom, priorityFrom } from '../src/validators.ts';

const refusal = (check: () => unknown) => {
  try {
    check();
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error('accepted');
};

describe('validators', () => {
  it('accepts a UUID in any case as the invoice id, lower-cased; tells a missing id from a malformed one', () => {
    expect(invoiceIdFrom('0193A2B4-0000-7000-8000-00000000000F')).toBe('0193a2b4-0000-7000-8000-00000000000f');
    for (const missing of [undefined, null, ''])
      expect(refusal(() => invoiceIdFrom(missing))).toEqual({ code: 'INVALID_INVOICE_ID', message: 'Give the invoice id (a UUID).' });
    expect(refusal(() => invoiceIdFrom(42))).toEqual({ code: 'INVALID_INVOICE_ID', message: 'The invoice id must be a UUID (got "42").' });
    expect(refusal(() => invoiceIdFrom('x'.repeat(500))).message).toBe(`The invoice id must be a UUID (got "${'x'.repeat(60)}").`);
  });

  it('takes priorities from -1000 to 1000, whole numbers only, 0 when not given', () => {
    expect([priorityFrom(undefined), priorityFrom(-1000), priorityFrom(1000)]).toEqual([0, -1000, 1000]);
    for (const bad of [1001, -1001, 1.5, '3', Number.NaN]) {
      expect(refusal(() => priorityFrom(bad))).toEqual({
        code: 'INVALID_PRIORITY',
        message: 'The priority must be a whole number from -1000 to 1000.',
      });
    }
  });

  it('reads the list’s paging and filters, refusing what no page of it gave', () => {
    expect([pageLimitFrom(null), pageLimitFrom('1'), pageLimitFrom('200')]).toEqual([50, 1, 200]);
    for (const bad of ['0', '201', '2.5', 'ten']) expect(refusal(() => pageLimitFrom(bad)).code).toBe('INVALID_LIMIT');
    expect(pageCursorFrom(null)).toBeUndefined();
    expect(pageCursorFrom('2026-01-01T00:00:00.000Z_0193a2b4-0000-7000-8000-00000000000f')).toEqual({
      createdAt: '2026-01-01T00:00:00.000Z',
      id: '0193a2b4-0000-7000-8000-00000000000f',
    });
    for (const bad of ['2026-01-01', 'yesterday_0193a2b4-0000-7000-8000-00000000000f', '2026-01-01_nope'])
      expect(refusal(() => pageCursorFrom(bad)).code).toBe('INVALID_CURSOR');
    expect([jobStatusFrom(null), jobStatusFrom('failed')]).toEqual([undefined, 'failed']);
    expect(refusal(() => jobStatusFrom('lost'))).toEqual({
      code: 'INVALID_STATUS',
      message: 'status must be one of pending, processing, completed, failed.',
    });
    expect([
      choiceFrom(null, ['json', 'csv'], 'INVALID_FORMAT', 'format'),
      choiceFrom('csv', ['json', 'csv'], 'INVALID_FORMAT', 'format'),
    ]).toEqual(['json', 'csv']);
    expect(refusal(() => choiceFrom('xml', ['json', 'csv'], 'INVALID_FORMAT', 'format'))).toEqual({
      code: 'INVALID_FORMAT',
      message: 'format must be json or csv.',
    });
  });
});
