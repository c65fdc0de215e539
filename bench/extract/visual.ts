// The visual path's accuracy on the shared corpus: every PDF that carries XML is read from its page
// with the XML ignored and scored against its labels (the XML is the answer key); the plain PDFs and
// images are scored against their invoice2data golden labels. Modes: `text` reads the PDF text
// layer; `ocr-clean` renders each page at 300 dpi and OCRs it; `ocr-degraded` renders at 200 dpi,
// greys, tilts, blurs and JPEG-compresses it first, as a phone scan would.
import { readFileSync, writeFileSync } from 'node:fs';
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
  /** The file's fold (folds.ts): its misses are read only when it is a development fold. */
  fold: number;
  family: string;
  invoice?: NormalisedInvoice;
  error?: string;
  ms: number;
  pages: number;
  format?: string;
  /** The process's peak resident memory while this file was read, in MB (worker threads included). */
  peakRssMb: number;
  /** Per scored key: matched, and the confidence the extraction gave (0 when absent). */
  scores: Record<string, { matched: boolean; confidence: number; reported: boolean }>;
}

/**
 * Linux keeps a process's peak resident memory (VmHWM) and resets it when told to ('5' written to
 * clear_refs): reset before a file, read after it, that peak is the file's. NaN elsewhere.
 */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: peakRss() reports NaN.
  }
}
function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Reads one file by the visual path and scores it. `prepare` turns the file into what is read. */
export async function readAndScore(
  corpus: string,
  label: VisualLabel,
  { fold, family }: { fold: number; family: string },
  keys: readonly string[],
  prepare: (bytes: Uint8Array, label: VisualLabel) => Promise<Uint8Array>,
): Promise<VisualResult> {
  const original = new Uint8Array(await readFile(join(corpus, label.file)));
  const bytes = await prepare(original, label);
  const result: VisualResult = { label, fold, family, ms: 0, pages: 1, peakRssMb: Number.NaN, scores: {} };
  resetPeakRss();
  const t0 = performance.now();
  try {
    result.invoice = await extractInvoice(bytes, { ignoreEmbeddedXml: true });
    result.pages = Math.min(result.invoice.source.pages ?? 1, 10);
    result.format = result.invoice.format;
  } catch (error) {
    result.error = isInvoiceError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  result.ms = performance.now() - t0;
  result.peakRssMb = peakRssMb();
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
  /** Wrong values reported with confidence ≥ 0.9. */
  confidentWrong: number;
}
function tally(results: readonly VisualResult[], keys: readonly string[]): Tally {
  const t: Tally = { matched: 0, total: 0, confidentWrong: 0 };
  for (const r of results) {
    for (const key of keys) {
      const s = r.scores[key];
      if (!s) continue;
      t.total += 1;
      if (s.matched) t.matched += 1;
      else if (s.reported && s.confidence >= 0.9) t.confidentWrong += 1;
    }
  }
  return t;
}
const rate = (t: Tally) => `${t.matched}/${t.total} (${percent(t.matched, t.total)})`;

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

const foldList = (folds: ReadonlySet<number>) => [...folds].sort().join(', ');

/**
 * The report of one mode: per term the tuned figure (every file, the rules were written against
 * all of them) beside the development and held-out folds' figures and the confidently wrong rate;
 * per language and per fold; speed and memory; and the misses of the development folds only.
 */
export function visualReport(
  mode: VisualMode,
  results: readonly VisualResult[],
  note: string,
  development: ReadonlySet<number>,
): { markdown: string; json: unknown } {
  const xmlLabelled = results.filter((r) => r.label.embedded_xml);
  const golden = results.filter((r) => !r.label.embedded_xml);
  const isDevelopment = (r: VisualResult) => development.has(r.fold);
  const dev = results.filter(isDevelopment);
  const heldOut = results.filter((r) => !isDevelopment(r));
  const lines: string[] = [`## Visual path, mode \`${mode}\``, '', note, ''];
  const key = tally(results, KEY_TERMS);
  const heldKey = tally(heldOut, KEY_TERMS);
  lines.push(
    `${results.length} files (${xmlLabelled.length} PDFs with XML ignored, ${golden.length} invoice2data files; ${results.filter((r) => r.error).length} failed). ` +
      `8 key terms, tuned (all folds): ${rate(key)} per file, ${(100 * perInvoice(results, KEY_TERMS)).toFixed(1)} % per distinct invoice; ` +
      `**held-out folds (${foldList(new Set(heldOut.map((r) => r.fold)))}): ${rate(heldKey)}**, ${(100 * perInvoice(heldOut, KEY_TERMS)).toFixed(1)} % per distinct invoice.`,
    '',
    `| field | tuned (all) | development (${foldList(development)}) | held-out | wrong at ≥ 0.9, all | wrong at ≥ 0.9, held-out |`,
    '|---|---:|---:|---:|---:|---:|',
  );
  const allKeys = [...new Set(results.flatMap((r) => Object.keys(r.scores)))].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const row = (name: string, keys: readonly string[]) => {
    const [all, d, h] = [tally(results, keys), tally(dev, keys), tally(heldOut, keys)];
    return `| ${name} | ${rate(all)} | ${rate(d)} | ${rate(h)} | ${all.confidentWrong} (${percent(all.confidentWrong, all.total)}) | ${h.confidentWrong} (${percent(h.confidentWrong, h.total)}) |`;
  };
  for (const k of KEY_TERMS) lines.push(row(`**${k}**`, [k]));
  lines.push(row('**8 key terms**', KEY_TERMS));
  for (const k of allKeys.filter((x) => !(KEY_TERMS as readonly string[]).includes(x))) lines.push(row(k, [k]));
  lines.push(row('all scored terms', allKeys));

  const folds = [...new Set(results.map((r) => r.fold))].sort();
  lines.push('', '| fold | role | families | files | 8 key terms | wrong at ≥ 0.9 |', '|---:|---|---:|---:|---:|---:|');
  for (const fold of folds) {
    const rs = results.filter((r) => r.fold === fold);
    const t = tally(rs, KEY_TERMS);
    const all = tally(rs, allKeys);
    lines.push(
      `| ${fold} | ${development.has(fold) ? 'development' : 'held out'} | ${new Set(rs.map((r) => r.family)).size} | ${rs.length} | ${rate(t)} | ${all.confidentWrong} / ${all.total} |`,
    );
  }
  const languages = [...new Set(results.map((r) => r.label.lang ?? '?'))].sort();
  lines.push('', `| 8 key terms by page language | ${languages.join(' | ')} |`, `|---|${languages.map(() => '---:|').join('')}`);
  lines.push(
    `| all folds | ${languages
      .map((l) =>
        rate(
          tally(
            results.filter((r) => (r.label.lang ?? '?') === l),
            KEY_TERMS,
          ),
        ),
      )
      .join(' | ')} |`,
  );
  lines.push(
    `| held out | ${languages
      .map((l) =>
        rate(
          tally(
            heldOut.filter((r) => (r.label.lang ?? '?') === l),
            KEY_TERMS,
          ),
        ),
      )
      .join(' | ')} |`,
  );

  // Honesty: wrong values reported with confidence ≥ 0.9, over every scored field.
  const honesty = (rs: readonly VisualResult[]) => {
    const scored = rs.flatMap((r) => Object.values(r.scores));
    const confidentWrong = scored.filter((s) => s.reported && !s.matched && s.confidence >= 0.9).length;
    const reportedWrong = scored.filter((s) => s.reported && !s.matched).length;
    const flagged = scored.filter((s) => s.reported && s.confidence < 0.9);
    return {
      scored: scored.length,
      confidentWrong,
      text:
        `${scored.length} scored fields; wrong with confidence ≥ 0.9: ${confidentWrong} (${percent(confidentWrong, scored.length)}); ` +
        `wrong but flagged for review (< 0.9): ${reportedWrong - confidentWrong}; not reported: ${scored.filter((s) => !s.reported).length}; ` +
        `flagged fields that were right: ${flagged.filter((s) => s.matched).length} / ${flagged.length}.`,
    };
  };
  const [honestAll, honestHeld] = [honesty(results), honesty(heldOut)];
  lines.push('', `Confidence, all folds: ${honestAll.text}`, '', `Confidence, held-out folds: ${honestHeld.text}`);

  const goldenDev = golden.filter(isDevelopment);
  if (goldenDev.length > 0) {
    lines.push(
      '',
      '### Plain PDFs and images of the development folds (invoice2data golden labels)',
      '',
      '| file | kind | lang | matched | misses |',
      '|---|---|---|---:|---|',
    );
    for (const r of goldenDev) {
      const t = tally([r], Object.keys(r.scores));
      const misses = Object.entries(r.scores)
        .filter(([, s]) => !s.matched)
        .map(([k]) => `${k}=${JSON.stringify(r.invoice?.fields[k as 'BT-1'] ?? null)}`);
      lines.push(
        `| ${r.label.file} | ${r.label.kind} | ${r.label.lang ?? '?'} | ${t.matched}/${t.total} | ${r.error ?? misses.join(', ')} |`,
      );
    }
  }

  const pages = results.reduce((s, r) => s + r.pages, 0);
  const seconds = results.reduce((s, r) => s + r.ms, 0) / 1000;
  const perPage = results.map((r) => r.ms / r.pages).sort((a, b) => a - b);
  const median = perPage[perPage.length >> 1] ?? Number.NaN;
  const p90 = perPage[Math.floor(0.9 * (perPage.length - 1))] ?? Number.NaN;
  const rss = results
    .map((r) => r.peakRssMb)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const rssMedian = rss[rss.length >> 1] ?? Number.NaN;
  const rssMax = rss.at(-1) ?? Number.NaN;
  lines.push(
    '',
    `Speed (one worker thread): ${pages} pages in ${seconds.toFixed(1)} s = ${(seconds / Math.max(pages, 1)).toFixed(3)} s per page on average; per file and page, median ${(median / 1000).toFixed(3)} s, p90 ${(p90 / 1000).toFixed(3)} s. ` +
      `Peak resident memory of the process while a file is read: median ${rssMedian.toFixed(0)} MB, largest ${rssMax.toFixed(0)} MB.`,
  );

  const misses = dev.flatMap((r) =>
    Object.entries(r.scores)
      .filter(([k, s]) => !s.matched && (KEY_TERMS as readonly string[]).includes(k))
      .map(
        ([k, s]) =>
          `- ${r.label.file} (${r.label.lang}, fold ${r.fold}) ${k}: expected ${JSON.stringify(r.label.fields?.norm?.[k])}, got ${JSON.stringify(r.invoice?.fields[k as 'BT-1'] ?? r.error ?? null)} (confidence ${s.confidence})`,
      ),
  );
  const heldMisses = KEY_TERMS.map((k) => [k, heldOut.filter((r) => r.scores[k] && !r.scores[k].matched).length] as const).filter(
    ([, n]) => n > 0,
  );
  lines.push(
    '',
    `### Key-term misses of the development folds (${misses.length})`,
    '',
    ...misses.slice(0, 150),
    '',
    `Held-out folds, misses by term only (not to be read file by file): ${heldMisses.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}.`,
  );
  const figures = (rs: readonly VisualResult[]) => Object.fromEntries(KEY_TERMS.map((k) => [k, tally(rs, [k])]));
  return {
    markdown: lines.join('\n'),
    json: {
      mode,
      files: results.length,
      developmentFolds: [...development],
      keyTerms: figures(results),
      keyTermsHeldOut: figures(heldOut),
      keyTermsAll: key,
      keyTermsAllHeldOut: heldKey,
      perFold: Object.fromEntries(
        folds.map((f) => [
          f,
          tally(
            results.filter((r) => r.fold === f),
            KEY_TERMS,
          ),
        ]),
      ),
      confidentWrong: { count: honestAll.confidentWrong, of: honestAll.scored },
      confidentWrongHeldOut: { count: honestHeld.confidentWrong, of: honestHeld.scored },
      secondsPerPage: seconds / Math.max(pages, 1),
      medianSecondsPerPage: median / 1000,
      peakRssMb: { median: rssMedian, max: rssMax },
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
