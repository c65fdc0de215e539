// The visual path's accuracy on the shared corpus: every PDF that carries XML is read from its page
// with the XML ignored and scored against its labels (the XML is the answer key); the plain PDFs and
// images are scored against their invoice2data golden labels. Modes: `text` reads the PDF text
// layer; `ocr-clean` renders each page at 300 dpi and OCRs it; `ocr-degraded` renders at 200 dpi,
// greys, tilts, blurs and JPEG-compresses it first, as a phone scan would.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { extractInvoice, isInvoiceError, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { pageImage } from '../../test/einvoice/support/images.ts';
import { fieldMatches, termOf, type LabelValue } from './score.ts';

export interface VisualLabel {
  file: string;
  kind: string;
  container: string;
  lang: string | null;
  invoice_id: string;
  fields?: Record<string, LabelValue> & { norm?: Record<string, LabelValue> };
  visual_matches_xml?: boolean | null;
  embedded_xml?: { syntax: string; name: string } | null;
  text_check?: { missing?: string[] } | null;
  pages?: number;
  text_layer?: boolean;
}

export type VisualMode = 'text' | 'ocr-clean' | 'ocr-degraded';

/** The 8 key terms of the issue's targets. */
export const KEY_TERMS = ['BT-1', 'BT-2', 'BT-5', 'BT-27', 'BT-31', 'BT-109', 'BT-110', 'BT-112'] as const;

/** Which files a visual mode scores, and which of their label keys (corpus README, "Which files count"). */
export function scoredKeys(label: VisualLabel): string[] | undefined {
  const norm = label.fields?.norm ?? {};
  const keys = Object.keys(norm).filter((k) => norm[k] !== null && !k.startsWith('BG-'));
  if (label.kind === 'plain-pdf' || label.kind === 'image') return keys;
  if (label.container !== 'pdf' || !label.embedded_xml || label.visual_matches_xml === false) return undefined;
  if (label.visual_matches_xml === true) return keys;
  // Partly visible pages: only what the page shows (left out entirely when it has no text layer).
  if (label.text_layer === false) return undefined;
  const missing = new Set(label.text_check?.missing ?? []);
  return keys.filter((k) => !missing.has(k));
}

export interface VisualResult {
  label: VisualLabel;
  invoice?: NormalisedInvoice;
  error?: string;
  ms: number;
  pages: number;
  format?: string;
  /** Per scored key: matched, and the confidence the extraction gave (0 when absent). */
  scores: Record<string, { matched: boolean; confidence: number; reported: boolean }>;
}

/** Reads one file by the visual path and scores it. `prepare` turns the file into what is read. */
export async function readAndScore(
  corpus: string,
  label: VisualLabel,
  keys: readonly string[],
  prepare: (bytes: Uint8Array, label: VisualLabel) => Promise<Uint8Array>,
): Promise<VisualResult> {
  const original = new Uint8Array(await readFile(join(corpus, label.file)));
  const bytes = await prepare(original, label);
  const result: VisualResult = { label, ms: 0, pages: 1, scores: {} };
  const t0 = performance.now();
  try {
    result.invoice = await extractInvoice(bytes, { ignoreEmbeddedXml: true });
    result.pages = Math.min(result.invoice.source.pages ?? 1, 10);
    result.format = result.invoice.format;
  } catch (error) {
    result.error = isInvoiceError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  result.ms = performance.now() - t0;
  const norm = label.fields?.norm ?? {};
  for (const key of keys) {
    const expected = norm[key] ?? null;
    const matched = result.invoice ? fieldMatches(result.invoice, key, expected) : false;
    if (matched === undefined) continue;
    const term = termOf(key) as keyof NormalisedInvoice['confidence'];
    const reported = result.invoice?.fields[term] !== undefined;
    result.scores[key] = { matched, reported, confidence: result.invoice?.confidence[term] ?? 0 };
  }
  return result;
}

const percent = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);

interface Tally {
  matched: number;
  total: number;
}
function tally(results: readonly VisualResult[], keys: readonly string[]): Tally {
  let matched = 0;
  let total = 0;
  for (const r of results) {
    for (const key of keys) {
      const s = r.scores[key];
      if (!s) continue;
      total += 1;
      if (s.matched) matched += 1;
    }
  }
  return { matched, total };
}

/** Average over distinct invoices of each invoice's own match rate. */
function perInvoice(results: readonly VisualResult[], keys: readonly string[]): number {
  const groups = new Map<string, VisualResult[]>();
  for (const r of results) groups.set(r.label.invoice_id, [...(groups.get(r.label.invoice_id) ?? []), r]);
  const rates = [...groups.values()]
    .map((g) => tally(g, keys))
    .filter((t) => t.total > 0)
    .map((t) => t.matched / t.total);
  return rates.length === 0 ? Number.NaN : rates.reduce((a, b) => a + b, 0) / rates.length;
}

/** The report of one mode: key terms per field and per language, confidence honesty, speed. */
export function visualReport(mode: VisualMode, results: readonly VisualResult[], note: string): { markdown: string; json: unknown } {
  const xmlLabelled = results.filter((r) => r.label.embedded_xml);
  const golden = results.filter((r) => !r.label.embedded_xml);
  const lines: string[] = [`## Visual path, mode \`${mode}\``, '', note, ''];
  const key = tally(xmlLabelled, KEY_TERMS);
  lines.push(
    `PDFs with XML ignored: ${xmlLabelled.length} files (${xmlLabelled.filter((r) => r.error).length} failed). ` +
      `8 key terms: ${key.matched} / ${key.total} = ${percent(key.matched, key.total)} per file; ${(100 * perInvoice(xmlLabelled, KEY_TERMS)).toFixed(1)} % per distinct invoice.`,
    '',
  );
  const languages = [...new Set(xmlLabelled.map((r) => r.label.lang ?? '?'))].sort();
  lines.push(`| field | all | ${languages.join(' | ')} |`, `|---|---:|${languages.map(() => '---:|').join('')}`);
  const allKeys = [...new Set(xmlLabelled.flatMap((r) => Object.keys(r.scores)))].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const row = (name: string, keys: readonly string[]) => {
    const cells = [
      tally(xmlLabelled, keys),
      ...languages.map((l) =>
        tally(
          xmlLabelled.filter((r) => (r.label.lang ?? '?') === l),
          keys,
        ),
      ),
    ];
    return `| ${name} | ${cells.map((t) => `${t.matched}/${t.total} (${percent(t.matched, t.total)})`).join(' | ')} |`;
  };
  for (const k of KEY_TERMS) lines.push(row(`**${k}**`, [k]));
  lines.push(row('**8 key terms**', KEY_TERMS));
  for (const k of allKeys.filter((x) => !(KEY_TERMS as readonly string[]).includes(x))) lines.push(row(k, [k]));
  lines.push(row('all scored terms', allKeys));

  // Honesty: wrong values reported with confidence ≥ 0.9, over every scored field.
  const scored = results.flatMap((r) => Object.values(r.scores));
  const confidentWrong = scored.filter((s) => s.reported && !s.matched && s.confidence >= 0.9).length;
  const reportedWrong = scored.filter((s) => s.reported && !s.matched).length;
  const missing = scored.filter((s) => !s.reported).length;
  const flagged = scored.filter((s) => s.reported && s.confidence < 0.9);
  lines.push(
    '',
    `Confidence: ${scored.length} scored fields; wrong with confidence ≥ 0.9: ${confidentWrong} (${percent(confidentWrong, scored.length)}); ` +
      `wrong but flagged for review (< 0.9): ${reportedWrong - confidentWrong}; not reported: ${missing}; ` +
      `flagged fields that were right: ${flagged.filter((s) => s.matched).length} / ${flagged.length}.`,
  );

  if (golden.length > 0) {
    lines.push(
      '',
      '### Plain PDFs and images (invoice2data golden labels)',
      '',
      '| file | kind | lang | matched | misses |',
      '|---|---|---|---:|---|',
    );
    for (const r of golden) {
      const t = tally([r], Object.keys(r.scores));
      const misses = Object.entries(r.scores)
        .filter(([, s]) => !s.matched)
        .map(([k]) => `${k}=${JSON.stringify(r.invoice?.fields[k as 'BT-1'] ?? null)}`);
      lines.push(
        `| ${r.label.file} | ${r.label.kind} | ${r.label.lang ?? '?'} | ${t.matched}/${t.total} | ${r.error ?? misses.join(', ')} |`,
      );
    }
    const g = tally(golden, KEY_TERMS);
    lines.push('', `Golden files, 8 key terms where labelled: ${g.matched} / ${g.total} (${percent(g.matched, g.total)}).`);
  }

  const pages = results.reduce((s, r) => s + r.pages, 0);
  const seconds = results.reduce((s, r) => s + r.ms, 0) / 1000;
  const perPage = results.map((r) => r.ms / r.pages).sort((a, b) => a - b);
  const median = perPage[perPage.length >> 1] ?? Number.NaN;
  const p90 = perPage[Math.floor(0.9 * (perPage.length - 1))] ?? Number.NaN;
  lines.push(
    '',
    `Speed (one core): ${pages} pages in ${seconds.toFixed(1)} s = ${(seconds / Math.max(pages, 1)).toFixed(3)} s per page on average; per file and page, median ${(median / 1000).toFixed(3)} s, p90 ${(p90 / 1000).toFixed(3)} s.`,
  );

  const wrong = results.flatMap((r) =>
    Object.entries(r.scores)
      .filter(([k, s]) => !s.matched && (KEY_TERMS as readonly string[]).includes(k))
      .map(
        ([k, s]) =>
          `- ${r.label.file} (${r.label.lang}) ${k}: expected ${JSON.stringify(r.label.fields?.norm?.[k])}, got ${JSON.stringify(r.invoice?.fields[k as 'BT-1'] ?? r.error ?? null)} (confidence ${s.confidence})`,
      ),
  );
  lines.push('', `### Key-term misses (${wrong.length})`, '', ...wrong.slice(0, 150));
  return {
    markdown: lines.join('\n'),
    json: {
      mode,
      files: results.length,
      keyTerms: Object.fromEntries(KEY_TERMS.map((k) => [k, tally(xmlLabelled, [k])])),
      keyTermsAll: key,
      perLanguage: Object.fromEntries(
        languages.map((l) => [
          l,
          tally(
            xmlLabelled.filter((r) => (r.label.lang ?? '?') === l),
            KEY_TERMS,
          ),
        ]),
      ),
      confidentWrong: { count: confidentWrong, of: scored.length },
      secondsPerPage: seconds / Math.max(pages, 1),
      medianSecondsPerPage: median / 1000,
    },
  };
}

/** Pages of a PDF turned into a scan: an image-only PDF of the same page sizes, for the OCR modes. */
export async function scannedPdf(pdf: Uint8Array, mode: Exclude<VisualMode, 'text'>, maxPages: number): Promise<Uint8Array> {
  const source = await PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false });
  const scan = await PDFDocument.create();
  for (let index = 0; index < Math.min(maxPages, source.getPageCount()); index += 1) {
    const { width, height } = source.getPage(index).getSize();
    const image =
      mode === 'ocr-clean'
        ? await scan.embedPng(await pageImage(pdf, { dpi: 300, page: index + 1 }))
        : await scan.embedJpg(await pageImage(pdf, { dpi: 200, page: index + 1, degrade: { tiltDegrees: index % 2 === 0 ? 1 : -0.8 } }));
    scan.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
  }
  return scan.save();
}
