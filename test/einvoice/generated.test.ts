import { describe, expect, it } from 'vitest';
import { valuesEqual } from '../../bench/extract/score.ts';
import { extractInvoice } from '../../src/einvoice/index.ts';
import { generateInvoice, type GeneratedLanguage } from './support/generated.ts';

/** Reads the invoices of `seeds` and lists every term read wrong or not at all, and those wrong at confidence ≥ 0.9. */
async function misses(language: GeneratedLanguage, seeds: readonly number[]): Promise<{ missed: string[]; confidentlyWrong: string[] }> {
  const missed: string[] = [];
  const confidentlyWrong: string[] = [];
  for (const seed of seeds) {
    const generated = await generateInvoice(seed, language);
    const invoice = await extractInvoice(generated.pdf);
    for (const [term, want] of Object.entries(generated.labels)) {
      const got = invoice.fields[term as keyof typeof generated.labels];
      if (got !== undefined && valuesEqual(term, want, got)) continue;
      const miss = `seed ${seed} (${generated.layout}) ${term}: ${JSON.stringify(got)} for ${want}`;
      missed.push(miss);
      if (got !== undefined && (invoice.confidence[term as keyof typeof generated.labels] ?? 0) >= 0.9) confidentlyWrong.push(miss);
    }
  }
  return { missed, confidentlyWrong };
}

const SEEDS = Array.from({ length: 30 }, (_, i) => 1000 + i);

describe('generated invoices (random layouts, labels, rates, currencies, credit notes)', () => {
  it.each(['fr', 'de', 'en', 'nl', 'it', 'es'] as const)('reads every key term of 30 generated %s invoices', async (language) => {
    const { missed } = await misses(language, SEEDS);
    expect(missed).toEqual([]);
  });
});
