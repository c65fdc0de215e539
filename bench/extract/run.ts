// Accuracy and speed of the structured extraction on the shared corpus:
//   npm run bench:extract -- --corpus ../shared/corpus [--repeat 3] [--out bench/results]
// Reads labels.jsonl, scores every labelled term with the corpus's rules (score.ts), times each
// extraction on this one core, and writes a JSON and a Markdown report to bench/results/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { detectInvoice, extractInvoice, isInvoiceError, stopVisualWorkers, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { runCenUnitTests } from './cen.ts';
import { generatedReport } from './generated.ts';
import { DEVELOPMENT_FOLDS, splitByFamily, type Split } from './folds.ts';
import { fieldMatches, type LabelValue } from './score.ts';
import { readAndScore, scannedPdf, scoredKeys, visualReport, type VisualLabel, type VisualMode, type VisualResult } from './visual.ts';

interface Label {
  file: string;
  kind: string;
  container: string;
  invoice_id: string;
  profile: string | null;
  fields?: Record<string, LabelValue> & { norm?: Record<string, LabelValue> };
  visual_matches_xml?: boolean | null;
  embedded_xml?: { syntax: string; name: string } | null;
  lang: string | null;
  text_check?: { missing?: string[] } | null;
  text_layer?: boolean;
}

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: '../shared/corpus' },
    repeat: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results' },
    // The visual path instead of the structured one: `text`, `ocr-clean`, `ocr-degraded`, comma-separated.
    visual: { type: 'string' },
    // For the OCR modes: `invoice` reads one file per distinct invoice, `all` every file.
    subset: { type: 'string', default: 'invoice' },
    // For the OCR modes: at most this many files of each fold (one family after another), since
    // OCR takes seconds a page; by default every file the subset keeps.
    'per-fold': { type: 'string' },
    // Also read this many generated invoices (generated.ts) in each visual mode.
    generated: { type: 'string' },
    'max-pages': { type: 'string', default: '3' },
  },
});
const corpus = resolve(args.corpus);
const repeat = Math.max(1, Number(args.repeat));

const labels: Label[] = (await readFile(join(corpus, 'labels.jsonl'), 'utf8'))
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Label);

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const percent = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(2)} %`);

/** Structured-path files: XML files and PDFs that carry XML. */
const isStructured = (label: Label) => label.container === 'xml' || (label.container === 'pdf' && label.embedded_xml != null);

if (args.visual !== undefined) {
  await runVisual(args.visual.split(',') as VisualMode[]);
  process.exit(0);
}

// pdfjs loads its worker module on first use: pay that once before any timing.
const warmUp = labels.find((l) => l.container === 'pdf' && l.embedded_xml);
if (warmUp) await extractInvoice(new Uint8Array(await readFile(join(corpus, warmUp.file)))).catch(() => undefined);

interface FileResult {
  label: Label;
  detected?: string;
  detectionError?: string;
  invoice?: NormalisedInvoice;
  error?: string;
  ms: number;
  /** Per label key: matched or not, for the keys the label scores. */
  matches: Record<string, boolean>;
}

const results: FileResult[] = [];
const started = performance.now();
for (const label of labels) {
  const bytes = new Uint8Array(await readFile(join(corpus, label.file)));
  const result: FileResult = { label, ms: Number.NaN, matches: {} };
  try {
    result.detected = (await detectInvoice(bytes)).kind;
  } catch (error) {
    result.detectionError = isInvoiceError(error) ? error.code : String(error);
  }
  if (isStructured(label)) {
    const times: number[] = [];
    for (let i = 0; i < repeat; i += 1) {
      const t0 = performance.now();
      try {
        result.invoice = await extractInvoice(bytes);
      } catch (error) {
        result.error = isInvoiceError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      times.push(performance.now() - t0);
    }
    result.ms = median(times);
    const norm = label.fields?.norm ?? {};
    for (const [key, expected] of Object.entries(norm)) {
      if (result.invoice === undefined) {
        if (expected !== null) result.matches[key] = false;
        continue;
      }
      const matched = fieldMatches(result.invoice, key, expected);
      if (matched !== undefined) result.matches[key] = matched;
    }
  }
  results.push(result);
}
const elapsedMs = performance.now() - started;

// Detection: the label's kind is the truth.
const detectionRight = results.filter((r) => r.detected === r.label.kind).length;
const detectionWrong = results.filter((r) => r.detected !== r.label.kind);

// Field accuracy per file and per distinct invoice, overall and per kind.
interface Tally {
  matched: number;
  total: number;
}
const tally = (rs: FileResult[], key?: string): Tally => {
  let matched = 0;
  let total = 0;
  for (const r of rs) {
    for (const [k, ok] of Object.entries(r.matches)) {
      if (key !== undefined && k !== key) continue;
      total += 1;
      if (ok) matched += 1;
    }
  }
  return { matched, total };
};
function groupByInvoice(rs: FileResult[]): Map<string, FileResult[]> {
  const byInvoice = new Map<string, FileResult[]>();
  for (const r of rs) byInvoice.set(r.label.invoice_id, [...(byInvoice.get(r.label.invoice_id) ?? []), r]);
  return byInvoice;
}
/** Average over distinct invoices of each invoice's own match rate for the key (or all keys). */
const perInvoice = (rs: FileResult[], key?: string): number => {
  const rates: number[] = [];
  for (const group of groupByInvoice(rs).values()) {
    const t = tally(group, key);
    if (t.total > 0) rates.push(t.matched / t.total);
  }
  return rates.length === 0 ? Number.NaN : rates.reduce((a, b) => a + b, 0) / rates.length;
};

const structured = results.filter((r) => isStructured(r.label));
const kindOf = (r: FileResult) => `${r.label.kind}${r.label.kind === 'zugferd1' ? ` (${r.label.container})` : ''}`;
const kinds = [...new Set(structured.map(kindOf))].sort();
const keys = [...new Set(structured.flatMap((r) => Object.keys(r.matches)))].sort((a, b) => {
  const n = (k: string) => Number(k.replace(/^.*BT-/, '')) + (k.startsWith('BG-') ? 1000 : 0);
  return n(a) - n(b);
});

const xmlMs = structured.filter((r) => r.label.container === 'xml').map((r) => r.ms);
const pdfMs = structured.filter((r) => r.label.container === 'pdf').map((r) => r.ms);

// UBL/CII twins: files of one invoice in both syntaxes must give the same values wherever their
// XML says the same thing (the labels agree); terms the two files genuinely write differently
// (BT-24 names the syntax's own CIUS, notes are often shortened) are not compared.
const syntaxOf = (r: FileResult) => r.invoice?.source.syntax;
const pairs: Array<{ invoice: string; ubl: string; cii: string; compared: number; differing: string[] }> = [];
for (const [id, group] of groupByInvoice(structured)) {
  const ubl = group.find((r) => syntaxOf(r) === 'ubl');
  const cii = group.find((r) => syntaxOf(r) === 'cii');
  if (!ubl?.invoice || !cii?.invoice) continue;
  const ublNorm = ubl.label.fields?.norm ?? {};
  const ciiNorm = cii.label.fields?.norm ?? {};
  const agreed = Object.keys(ublNorm).filter((key) => {
    const a = ublNorm[key];
    const b = ciiNorm[key];
    return a != null && b != null && JSON.stringify(a) === JSON.stringify(b);
  });
  const differing = agreed.filter(
    (key) => fieldMatches(ubl.invoice as NormalisedInvoice, key, valueOf(cii.invoice as NormalisedInvoice, key)) === false,
  );
  pairs.push({ invoice: id, ubl: ubl.label.file, cii: cii.label.file, compared: agreed.length, differing });
}
function valueOf(invoice: NormalisedInvoice, key: string): LabelValue {
  const term = key.slice(key.lastIndexOf('/') + 1) as keyof NormalisedInvoice['fields'];
  if (key.startsWith('BG-23/')) return invoice.vatBreakdown.map((r) => r[term] ?? null);
  if (key.startsWith('BG-25/')) return invoice.lines.map((r) => r[term] ?? null);
  return invoice.fields[term] ?? null;
}

// The page-versus-XML check: warnings on pages that match and on the known negative cases.
const consistency = { warnedWhenMatching: 0, matching: 0, warnedWhenNegative: 0, negative: 0 };
for (const r of structured.filter((x) => x.label.container === 'pdf' && x.invoice)) {
  const warned = r.invoice?.validation.some((f) => f.rule === 'FACTEUR-PDF-XML') ?? false;
  if (r.label.visual_matches_xml === true) {
    consistency.matching += 1;
    if (warned) consistency.warnedWhenMatching += 1;
  } else if (r.label.visual_matches_xml === false) {
    consistency.negative += 1;
    if (warned) consistency.warnedWhenNegative += 1;
  }
}

const all = tally(structured);
const lines: string[] = [];
lines.push(`# Extraction benchmark, ${new Date().toISOString()}`, '');
lines.push(`Corpus: ${corpus} (${labels.length} files); Node ${process.version}; ${repeat} timed runs per file, median kept.`, '');
lines.push(`## Detection`, '', `Right on ${detectionRight} / ${results.length} files (${percent(detectionRight, results.length)}).`, '');
lines.push('| kind (label) | files | detected right |', '|---|---:|---:|');
for (const kind of [...new Set(results.map((r) => r.label.kind))].sort()) {
  const rs = results.filter((r) => r.label.kind === kind);
  lines.push(`| ${kind} | ${rs.length} | ${rs.filter((r) => r.detected === kind).length} |`);
}
lines.push('');
for (const r of detectionWrong) lines.push(`- ${r.label.file}: label ${r.label.kind}, detected ${r.detected ?? r.detectionError}`);
lines.push('', '## Structured path: field-level exact match', '');
lines.push(
  `All: ${all.matched} / ${all.total} = ${percent(all.matched, all.total)} per file; ${(100 * perInvoice(structured)).toFixed(2)} % per distinct invoice.`,
  '',
);
lines.push('| kind | files | errors | matched / labelled | per file | per invoice |', '|---|---:|---:|---:|---:|---:|');
for (const kind of kinds) {
  const rs = structured.filter((r) => kindOf(r) === kind);
  const t = tally(rs);
  lines.push(
    `| ${kind} | ${rs.length} | ${rs.filter((r) => r.error).length} | ${t.matched} / ${t.total} | ${percent(t.matched, t.total)} | ${(100 * perInvoice(rs)).toFixed(2)} % |`,
  );
}
lines.push('', '| field | matched / labelled | per file | per invoice |', '|---|---:|---:|---:|');
for (const key of keys) {
  const t = tally(structured, key);
  lines.push(
    `| ${key} | ${t.matched} / ${t.total} | ${percent(t.matched, t.total)} | ${(100 * perInvoice(structured, key)).toFixed(2)} % |`,
  );
}
const failures = structured.filter((r) => r.error);
if (failures.length > 0) {
  lines.push('', '### Files that failed', '');
  for (const r of failures) lines.push(`- ${r.label.file} (${r.label.kind}): ${r.error}`);
}
const mismatches = structured.flatMap((r) =>
  Object.entries(r.matches)
    .filter(([, ok]) => !ok)
    .map(
      ([key]) =>
        `- ${r.label.file} ${key}: expected ${JSON.stringify(r.label.fields?.norm?.[key])}, got ${JSON.stringify(r.invoice ? valueOf(r.invoice, key) : null)}`,
    ),
);
if (mismatches.length > 0) lines.push('', `### Mismatches (${mismatches.length})`, '', ...mismatches.slice(0, 200));
lines.push('', '## UBL/CII twins', '');
lines.push(
  `${pairs.filter((p) => p.differing.length === 0).length} / ${pairs.length} invoices present in both syntaxes give the same values on every term their labels agree on (${pairs.reduce((s, p) => s + p.compared, 0)} terms compared).`,
);
for (const p of pairs.filter((x) => x.differing.length > 0)) lines.push(`- ${p.invoice} (${p.ubl} vs ${p.cii}): ${p.differing.join(', ')}`);
lines.push('', '## Speed (one core, extraction including detection and validation)', '');
lines.push(`| | files | median ms | p90 ms |`, '|---|---:|---:|---:|');
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.9 * (xs.length - 1))] ?? Number.NaN;
lines.push(`| XML | ${xmlMs.length} | ${median(xmlMs).toFixed(2)} | ${p90(xmlMs).toFixed(2)} |`);
lines.push(`| hybrid PDF | ${pdfMs.length} | ${median(pdfMs).toFixed(2)} | ${p90(pdfMs).toFixed(2)} |`);
lines.push(
  '',
  `Whole run: ${labels.length} files in ${(elapsedMs / 1000).toFixed(1)} s (detection + ${repeat} extractions each): ${((labels.length * 1000) / elapsedMs).toFixed(1)} files/s.`,
);
lines.push(`Structured extraction alone: ${((1000 * structured.length) / structured.reduce((s, r) => s + r.ms, 0)).toFixed(1)} files/s.`);
lines.push('', '## Page versus XML check (FACTEUR-PDF-XML warning)', '');
lines.push(
  `Warned on ${consistency.warnedWhenNegative} / ${consistency.negative} negative cases (page shows another document), and on ${consistency.warnedWhenMatching} / ${consistency.matching} PDFs whose page matches the XML.`,
);

const cen = await runCenUnitTests(corpus);
const cenAgreeing = cen.outcomes.filter((o) => o.agrees).length;
const cenRules = [...new Set(cen.outcomes.map((o) => o.rule))];
lines.push('', '## Validation versus the CEN EN 16931 unit tests', '');
lines.push(
  `Agreement on ${cenAgreeing} / ${cen.outcomes.length} tests (${percent(cenAgreeing, cen.outcomes.length)}) over the ${cenRules.length} implemented rules they cover; ${cen.skipped} tests of rules not implemented were skipped.`,
);
for (const o of cen.outcomes.filter((x) => !x.agrees)) {
  lines.push(`- ${o.file} ${o.rule}: expected ${o.expected}, ${o.fired ? 'fired' : 'did not fire'}${o.note ? ` (${o.note})` : ''}`);
}

const report = lines.join('\n');
const outDir = resolve(args.out);
await mkdir(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
await writeFile(join(outDir, `extract-${stamp}.md`), `${report}\n`);
await writeFile(
  join(outDir, `extract-${stamp}.json`),
  `${JSON.stringify(
    {
      corpus,
      files: labels.length,
      detection: { right: detectionRight, total: results.length },
      accuracy: Object.fromEntries(keys.map((k) => [k, tally(structured, k)])),
      perKind: Object.fromEntries(kinds.map((k) => [k, tally(structured.filter((r) => kindOf(r) === k))])),
      speed: { xmlMedianMs: median(xmlMs), pdfMedianMs: median(pdfMs) },
      twins: pairs,
      consistency,
      cen: { agreeing: cenAgreeing, total: cen.outcomes.length, skipped: cen.skipped, rules: cenRules },
    },
    null,
    2,
  )}\n`,
);
console.log(report);

async function runVisual(modes: VisualMode[]): Promise<void> {
  const maxPages = Number(args['max-pages']);
  const sections: string[] = [
    `# Extraction benchmark, visual path, ${new Date().toISOString()}`,
    '',
    `Corpus: ${corpus}; Node ${process.version}; one core.`,
  ];
  const json: Record<string, unknown> = {};
  const scoredLabels = labels.filter((label) => scoredKeys(label));
  const split = splitByFamily(labels, scoredLabels);
  const perFold = args['per-fold'] === undefined ? Number.POSITIVE_INFINITY : Number(args['per-fold']);
  for (const mode of modes) {
    const seen = new Set<string>();
    const candidates = scoredLabels.filter((label) => {
      if (mode === 'text' && label.kind === 'image') return false;
      if (mode !== 'text' && args.subset === 'invoice') {
        if (seen.has(label.invoice_id)) return false;
        seen.add(label.invoice_id);
      }
      return true;
    });
    const chosen = mode === 'text' ? candidates : fewPerFold(candidates, perFold, split);
    const place = (label: VisualLabel) => ({ fold: split.foldOf(label), family: split.familyOf(label) });
    // The first file loads pdfjs (and tesseract for OCR): paid once, outside the timings.
    const first = chosen[0];
    if (first)
      await readAndScore(corpus, first, place(first), [], (bytes, l) =>
        mode === 'text' || l.kind === 'image' ? Promise.resolve(bytes) : scannedPdf(bytes, mode, 1),
      );
    const results: VisualResult[] = [];
    for (const label of chosen) {
      const prepare = (bytes: Uint8Array, l: VisualLabel) =>
        mode === 'text' || l.kind === 'image' ? Promise.resolve(bytes) : scannedPdf(bytes, mode, maxPages);
      results.push(await readAndScore(corpus, label, place(label), scoredKeys(label) ?? [], prepare));
      process.stderr.write(`\r${mode}: ${results.length} / ${chosen.length}`);
    }
    process.stderr.write('\n');
    const note =
      mode === 'text'
        ? 'Every PDF with XML (embedded XML ignored) whose page shows the invoice, read from its text layer; the invoice2data plain PDFs with their golden labels.'
        : `Pages rendered to images (${mode === 'ocr-clean' ? '300 dpi PNG' : '200 dpi, grey, tilted ±1°, blurred, 70 % JPEG'}), at most ${maxPages} pages per file, put in an image-only PDF and OCR'd; ` +
          `${args.subset === 'invoice' ? 'one file per distinct invoice' : 'every file'}${Number.isFinite(perFold) ? `, at most ${perFold} per fold (families taken in turn)` : ''}; the corpus images as they are. Time includes rendering the scan back from the PDF.`;
    const report = visualReport(mode, results, note, DEVELOPMENT_FOLDS);
    sections.push('', report.markdown);
    json[mode] = report.json;
    if (args.generated !== undefined) {
      const generated = await generatedReport(Number(args.generated), mode);
      sections.push('', generated.markdown);
      json[`generated-${mode}`] = generated.json;
    }
  }
  await stopVisualWorkers();
  const outDir = resolve(args.out);
  await mkdir(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFile(join(outDir, `extract-visual-${stamp}.md`), `${sections.join('\n')}\n`);
  await writeFile(join(outDir, `extract-visual-${stamp}.json`), `${JSON.stringify({ corpus, ...json }, null, 2)}\n`);
  console.log(sections.join('\n'));
}

/** At most `limit` labels of each fold, taking its families in turn so that each is represented. */
function fewPerFold(candidates: readonly Label[], limit: number, split: Split): Label[] {
  if (!Number.isFinite(limit)) return [...candidates];
  const byFold = new Map<number, Map<string, Label[]>>();
  for (const label of candidates) {
    const families = byFold.get(split.foldOf(label)) ?? new Map<string, Label[]>();
    families.set(split.familyOf(label), [...(families.get(split.familyOf(label)) ?? []), label]);
    byFold.set(split.foldOf(label), families);
  }
  const chosen: Label[] = [];
  for (const families of byFold.values()) {
    const queues = [...families.values()];
    for (let taken = 0, round = 0; taken < limit && queues.some((q) => q.length > round); round += 1) {
      for (const queue of queues) {
        const label = queue[round];
        if (label && taken < limit) {
          chosen.push(label);
          taken += 1;
        }
      }
    }
  }
  return candidates.filter((label) => chosen.includes(label));
}
