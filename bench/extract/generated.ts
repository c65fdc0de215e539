// The visual path on labelled synthetic invoices (test/einvoice/support/generated.ts): an extra
// measure beside the corpus's held-out folds, never instead of them. Seeds start far from the ones
// the tests use, so that the figure is not of invoices the rules were checked against.
import { extractInvoice, isInvoiceError } from '../../src/einvoice/index.ts';
import { generateInvoice, type GeneratedLabels } from '../../test/einvoice/support/generated.ts';
import { valuesEqual } from './score.ts';
import { scannedPdf, type VisualMode } from './visual.ts';

const FIRST_SEED = 1_000_000;
const TERMS: ReadonlyArray<keyof GeneratedLabels> = ['BT-1', 'BT-2', 'BT-3', 'BT-5', 'BT-27', 'BT-31', 'BT-109', 'BT-110', 'BT-112'];

interface Tally {
  matched: number;
  total: number;
  confidentWrong: number;
}

export async function generatedReport(count: number, mode: VisualMode): Promise<{ markdown: string; json: unknown }> {
  const tallies = new Map<string, Tally>();
  const misses: string[] = [];
  let seconds = 0;
  for (let seed = FIRST_SEED; seed < FIRST_SEED + count; seed += 1) {
    const generated = await generateInvoice(seed);
    const bytes = mode === 'text' ? generated.pdf : await scannedPdf(generated.pdf, mode, 1);
    const t0 = performance.now();
    const invoice = await extractInvoice(bytes).catch((error: unknown) => (isInvoiceError(error) ? undefined : Promise.reject(error)));
    seconds += (performance.now() - t0) / 1000;
    for (const term of TERMS) {
      const got = invoice?.fields[term];
      const matched = got !== undefined && valuesEqual(term, generated.labels[term], got);
      for (const key of [`${generated.language} ${term}`, `all ${term}`]) {
        const t = tallies.get(key) ?? { matched: 0, total: 0, confidentWrong: 0 };
        t.total += 1;
        if (matched) t.matched += 1;
        else if (got !== undefined && (invoice?.confidence[term] ?? 0) >= 0.9) t.confidentWrong += 1;
        tallies.set(key, t);
      }
      if (!matched)
        misses.push(
          `- seed ${seed} (${generated.language}; ${generated.layout}) ${term}: expected ${JSON.stringify(generated.labels[term])}, got ${JSON.stringify(got ?? null)} (confidence ${invoice?.confidence[term] ?? 0})`,
        );
    }
    process.stderr.write(`\rgenerated ${mode}: ${seed - FIRST_SEED + 1} / ${count}`);
  }
  process.stderr.write('\n');
  const cell = (t: Tally | undefined) =>
    t ? `${t.matched}/${t.total}${t.confidentWrong ? ` (${t.confidentWrong} wrong ≥ 0.9)` : ''}` : '–';
  const languages = ['all', 'fr', 'de', 'en', 'nl', 'it', 'es'];
  const lines = [
    `## Generated invoices, mode \`${mode}\``,
    '',
    `${count} invoices from seed ${FIRST_SEED} (random layout, fr/de/en/nl/it/es, one or two VAT rates, currencies, credit notes); ${(seconds / count).toFixed(3)} s each.`,
    '',
    `| term | ${languages.join(' | ')} |`,
    `|---|${languages.map(() => '---:|').join('')}`,
    ...TERMS.map((term) => `| ${term} | ${languages.map((l) => cell(tallies.get(`${l} ${term}`))).join(' | ')} |`),
    '',
    `### Misses (${misses.length})`,
    '',
    ...misses.slice(0, 60),
  ];
  return { markdown: lines.join('\n'), json: { mode, count, terms: Object.fromEntries(TERMS.map((t) => [t, tallies.get(`all ${t}`)])) } };
}
