// The field finder: from the lines of a page (text layer or OCR, the same for both) to the
// normalised invoice's header terms, each with a confidence. Values are found next to their labels
// by layout — the rest of the label's cell or the cells to its right on the same line, else the
// cell below it (column headings) — never by one pattern per supplier. The arithmetic then chooses
// between candidates (HT + TVA = TTC; each rate's base × rate = its tax), and what stays uncertain
// is flagged for review rather than guessed.
import type { Finding, TermId, TermRecord } from '../model.ts';
import {
  AMBIGUOUS_TITLE,
  CURRENCY_LABEL,
  CURRENCY_MARKS,
  DOCUMENT_TYPES,
  GLUED_LEGAL_FORM,
  LABELS,
  LEGAL_FORM,
  SECTION_HEADINGS,
  type LabelledTerm,
  type LabelRule,
  type Party,
  UNNAMED_CURRENCY,
} from './labels.ts';
import { CELL_GAP, cellAt, spanBox, type Cell, type Line } from '../layout.ts';
import { luhnValid } from '../validate/france.ts';
import { findAmounts, findDates, findIbans, findRates, findVatIds, fold, formatCents, monthFirstIn } from './parse.ts';

export interface FoundInvoice {
  fields: TermRecord;
  confidence: Partial<Record<TermId, number>>;
  vatBreakdown: TermRecord[];
  lines: TermRecord[];
  validation: Finding[];
}

/** Below this, a value is reported with a FACTEUR-REVIEW warning; below `DROP`, not at all. */
export const REVIEW_BELOW = 0.9;
const DROP_BELOW = 0.4;

interface Candidate<T> {
  readonly value: T;
  readonly score: number;
}

interface LabelHit {
  readonly rule: LabelRule;
  readonly line: Line;
  readonly start: number;
  readonly end: number;
}

// OCR often drops the space between words ("TOTALTTC", "NETAPAYER"): a label's spaces may be absent.
// A cell's words are one space apart and cells `CELL_GAP` apart, so a label's words never reach
// across a column: "Date   Échéance" is two column headings, not "date d'échéance".
const COMPILED = LABELS.map((rule) => ({ rule, pattern: new RegExp(rule.pattern.source.replace(/\\s\+/g, '\\s?'), 'g') }));

/** Every label on every line; where labels overlap the longer one wins. */
function labelHits(lines: readonly Line[]): LabelHit[] {
  const hits: LabelHit[] = [];
  for (const line of lines) {
    const folded = fold(line.text);
    const onLine: LabelHit[] = [];
    for (const { rule, pattern } of COMPILED) {
      for (const m of folded.matchAll(pattern)) {
        if (m[0].trim() === '') continue;
        onLine.push({ rule, line, start: m.index, end: m.index + m[0].length });
      }
    }
    onLine.sort((a, b) => b.end - b.start - (a.end - a.start) || b.rule.weight - a.rule.weight);
    const kept: LabelHit[] = [];
    for (const hit of onLine) {
      if (!kept.some((h) => h.start < hit.end && hit.start < h.end)) kept.push(hit);
    }
    const anchored = (hit: LabelHit) => kept.some((h) => h.rule.term === hit.rule.after && h.rule.weight === 1 && h.end <= hit.start);
    hits.push(...kept.filter((hit) => !hit.rule.after || anchored(hit)));
  }
  return hits;
}

/** Where a label's value may be printed, best first, with how much each place is trusted. */
interface Place {
  readonly text: string;
  readonly trust: number;
  readonly line: Line;
  readonly x0: number;
}

function placesOf(hit: LabelHit, hits: readonly LabelHit[], lines: readonly Line[]): Place[] {
  const { line } = hit;
  // To the right: up to the next label on the line, at most the label's cell and two more.
  const nextLabel = Math.min(...hits.filter((h) => h.line === line && h.start >= hit.end).map((h) => h.start), line.text.length);
  const lastCell = line.cells[Math.min(cellAt(line, hit.end) + 2, line.cells.length - 1)];
  const rightEnd = Math.min(nextLabel, lastCell ? lastCell.start + lastCell.text.length : line.text.length);
  const box = spanBox(line, hit.start, hit.end);
  const places: Place[] = [{ text: line.text.slice(hit.end, rightEnd), trust: 1, line, x0: box.x1 }];
  // A title that ends its line ("Rechnung Nr. 4711 vom") may have its value wrapped to the next;
  // totals at a line's end are column headings instead, read below.
  const wrapped = lines[line.index + 1];
  const wraps = hit.rule.term === 'BT-1' || hit.rule.term === 'BT-2' || hit.rule.term === 'BT-9';
  if (wraps && line.text.slice(hit.end).trim() === '' && wrapped?.page === line.page && wrapped.cells[0]) {
    places.push({ text: wrapped.cells[0].text, trust: 0.8, line: wrapped, x0: wrapped.cells[0].x0 });
  }
  // Below (column headings): the cells under the label on the next few lines of the page; text of
  // another column that runs under it is skipped by the value readers, not by position.
  const height = Math.max(line.y1 - line.y0, 1);
  for (const next of lines.slice(line.index + 1, line.index + 5)) {
    if (next.page !== line.page || next.y0 - line.y1 > 4 * height) break;
    const under = next.cells.filter((c) => c.x0 < box.x1 + 2 && c.x1 > box.x0 - 2);
    if (under.length === 0) continue;
    places.push({
      text: under.map((c) => c.text).join(CELL_GAP),
      trust: 0.85 - 0.05 * (places.length - 1),
      line: next,
      x0: under[0]?.x0 ?? 0,
    });
  }
  return places;
}

// ------------------------------------------------------------------ sections: whose block is this

interface Section {
  readonly party: Party;
  readonly heading: Line;
  readonly x0: number;
  readonly x1: number;
  /** A letter's sender line opens the addressee's block: its first part is the seller's name, and the line itself is nobody's block. */
  readonly sender?: string;
}

const SENDER_SEPARATOR = /\s[·•●|–—−-]\s/g;

/**
 * A letter's sender line over the envelope window ("Müller GmbH · Lindenstraße 8 · 80331 München"):
 * in the top half of page 1, in three parts or more (separated by dots or dashes, or by gaps of a
 * few letters), a name then its address, in small print or at least with a street or post code
 * among its parts, over a block aligned with it. That block is the buyer's, whatever heading it lacks.
 */
function senderSections(lines: readonly Line[]): Section[] {
  const heights = lines
    .filter((l) => l.page === 1)
    .map((l) => l.y1 - l.y0)
    .sort((a, b) => a - b);
  const usual = heights[heights.length >> 1] ?? 0;
  const sections: Section[] = [];
  for (const line of lines) {
    const height = line.y1 - line.y0;
    if (line.page !== 1 || line.y0 > line.pageHeight / 2 || height > 1.1 * usual) continue;
    const next = lines[line.index + 1];
    line.cells.forEach((cell, i) => {
      // Its parts: within the cell, or the run of cells a few letters apart that starts with it.
      const run = [cell];
      for (let j = i + 1; line.cells[j] && (line.cells[j]?.x0 ?? 0) - (run.at(-1)?.x1 ?? 0) < 4 * height; j += 1)
        run.push(line.cells[j] as Cell);
      const parts =
        cell.text.split(SENDER_SEPARATOR).length >= 3 ? cell.text.split(SENDER_SEPARATOR) : run.length >= 3 ? run.map((c) => c.text) : [];
      // Under it, the addressee's first line: aligned, and one line, not more of a letterhead's parts.
      const first =
        next?.page === line.page && next.y0 - line.y1 < 2 * usual ? next.cells.find((c) => Math.abs(c.x0 - cell.x0) < usual) : undefined;
      const under = first !== undefined && first.text.split(SENDER_SEPARATOR).length < 3 && !first.text.includes(':');
      const small = height < 0.9 * usual || parts.slice(1).some(isAddress);
      // A row of the line table has amounts, rates and labels; a sender line none.
      const plain = parts.every((p) => !/[:%]/.test(p) && findAmounts(p).length === 0);
      if (parts.length < 3 || !under || !small || !plain || isAddress(parts[0] ?? '')) return;
      const after = line.cells[i + (parts.length === run.length && run.length >= 3 ? run.length : 1)];
      sections.push({
        party: 'buyer',
        heading: line,
        x0: cell.x0 - 10,
        x1: after ? after.x0 - 1 : Math.max(cell.x1, cell.x0 + line.pageWidth / 3),
        sender: parts[0]?.trim(),
      });
    });
  }
  return sections;
}

function sectionsOf(lines: readonly Line[]): Section[] {
  const sections: Section[] = senderSections(lines);
  for (const line of lines) {
    line.cells.forEach((cell, i) => {
      const folded = fold(cell.text);
      // A company's name is no heading, even one that starts with one ("Lieferant GmbH").
      if (folded.length > 45 || LEGAL_FORM.test(cell.text)) return;
      const heading = SECTION_HEADINGS.find(([, pattern]) => pattern.test(folded));
      if (!heading) return;
      const next = line.cells[i + 1];
      sections.push({ party: heading[0], heading: line, x0: cell.x0 - 10, x1: next ? next.x0 - 1 : line.pageWidth });
    });
  }
  return sections;
}

/** The party whose heading is nearest above this point in its column, within a third of a page. */
function partyAt(sections: readonly Section[], line: Line, x: number): Party | undefined {
  let best: Section | undefined;
  for (const s of sections) {
    const { page, y0 } = s.heading;
    if (
      page !== line.page ||
      y0 > line.y0 ||
      line.y0 - y0 > line.pageHeight / 3 ||
      x < s.x0 ||
      x >= s.x1 ||
      (s.sender !== undefined && s.heading === line)
    )
      continue;
    if (!best || y0 > best.heading.y0) best = s;
  }
  return best?.party;
}

const BUYER_WORDS = /\b(?:client|customer|kunde|kunden|buyer|acheteur|votre|vos|your|ihre)\b/;

// ------------------------------------------------------------------ reading values at a place

const DOCUMENT_NUMBER = /^[\s:.#°]*(?:n\s?[°o]\.?\s*|nr\.?\s*|no\.?\s*)?[:.#]?\s*([A-Za-z0-9][A-Za-z0-9\-/_.#]*)/i;

function documentNumber(text: string): string | undefined {
  const token = DOCUMENT_NUMBER.exec(text)?.[1]?.replace(/[.\-/_]+$/, '');
  if (!token || !/\d/.test(token) || token.length > 30 || findDates(token).length > 0 || /^\d{1,2}$/.test(token)) return undefined;
  return token;
}

function siren(text: string): { value: string; checked: boolean } | undefined {
  const m = /^[\s:.]*(?:[a-z-]+\s+)?(\d{3}\s?\d{3}\s?\d{3})(?:\s?(\d{5}))?(?!\d)/i.exec(text);
  if (!m?.[1]) return undefined;
  const value = m[1].replace(/\s/g, '');
  return { value, checked: luhnValid(value) && (m[2] === undefined || luhnValid(value + m[2])) };
}

/**
 * The amount of one row of a split total: the VAT of a row that prints a rate ("USt. 19,00% auf
 * 804,35 €   152,83 €": the amount that is the rate of another), else the row's last amount. A VAT
 * row without a rate is no row of a split VAT.
 */
function rowAmount(term: LabelledTerm, text: string): number | undefined {
  const found = findAmounts(text);
  const rates = findRates(text).filter((r) => text.slice(r.start, r.end).includes('%') && r.value > 0);
  if (term !== 'BT-110') return found.at(-1)?.value;
  if (rates.length === 0) return undefined;
  const tax = found.find((t) => rates.some((r) => found.some((b) => b !== t && Math.abs((b.value * r.value) / 10000 - t.value) <= 1.01)));
  return tax?.value ?? (found.length === 1 ? found[0]?.value : undefined);
}

/** Merges candidates of one value: independent sightings raise the score. */
function best<T>(candidates: ReadonlyArray<Candidate<T>>, key: (v: T) => string = String): Array<Candidate<T>> {
  const merged = new Map<string, { value: T; miss: number; top: number }>();
  for (const c of candidates) {
    const k = key(c.value);
    const m = merged.get(k) ?? { value: c.value, miss: 1, top: 0 };
    m.miss *= 1 - 0.5 * c.score;
    m.top = Math.max(m.top, c.score);
    merged.set(k, m);
  }
  // The best sighting counts in full, the others only as corroboration.
  return [...merged.values()]
    .map((m) => ({ value: m.value, score: Math.min(1, m.top + 0.5 * (1 - m.top) * (1 - m.miss / (1 - 0.5 * m.top))) }))
    .sort((a, b) => b.score - a.score);
}

// ------------------------------------------------------------------ the finder

export function findInvoiceFields(lines: readonly Line[]): FoundInvoice {
  const hits = labelHits(lines);
  const monthFirst = monthFirstIn(lines.map((l) => l.text).join('\n'));
  const sections = sectionsOf(lines);
  const candidates = new Map<LabelledTerm, Array<Candidate<string>>>();
  const amounts = new Map<LabelledTerm, Array<Candidate<number>>>();
  // Rows of a total split by rate or by kind ("Positionen netto", "Versandkosten netto"), by line.
  const rows = { 'BT-109': new Map<number, number>(), 'BT-110': new Map<number, number>() };
  const add = <T>(map: Map<LabelledTerm, Array<Candidate<T>>>, term: LabelledTerm, c: Candidate<T>) =>
    map.set(term, [...(map.get(term) ?? []), c]);

  // Dates that another label claims (a delivery, order or due date), and the lines numbers were read on.
  const claimed = new Set<string>();
  const numberLines = new Map<string, number>();
  for (const hit of hits) {
    const { term, weight } = hit.rule;
    const places = placesOf(hit, hits, lines);
    if (term === 'other' || term === 'BT-9') {
      // Beside the label, or a cell below that starts with the date (not a cell running under it).
      places.forEach((place, rank) => {
        const date = findDates(place.text, monthFirst).find((d) => d.start < (rank === 0 ? 40 : 3));
        if (date) claimed.add(`${place.line.index}:${date.value}`);
      });
    }
    if (term === 'other') continue;
    for (const [rank, place] of places.entries()) {
      const trust = weight * place.trust;
      if (term === 'BT-1') {
        const value = documentNumber(place.text);
        if (value) add(candidates, term, { value, score: trust });
        if (value && !numberLines.has(value)) numberLines.set(value, place.line.index);
      } else if (term === 'BT-2' || term === 'BT-9') {
        const date = findDates(place.text, monthFirst).find((d) => d.start < 40);
        if (date) add(candidates, term, { value: date.value, score: trust });
      } else if (term === 'BT-30') {
        const found = siren(place.text);
        const party = partyAt(sections, hit.line, place.x0);
        if (found && party !== 'buyer' && party !== 'other' && !BUYER_WORDS.test(fold(hit.line.text.slice(0, hit.start)))) {
          add(candidates, term, { value: found.value, score: trust * (found.checked ? 1 : 0.6) });
        }
      } else if (term === 'BT-27') {
        const party = partyAt(sections, hit.line, place.x0);
        const name = place.text
          .split(CELL_GAP)
          .map((s) => s.trim())
          .find((s) => s !== '');
        if (name && rank === 0 && (party === 'seller' || party === 'buyer')) {
          const cell = hit.line.cells.find((c) => c.x0 >= place.x0 - 1 && c.text.includes(name));
          add(candidates, party === 'seller' ? 'BT-27' : 'BT-44', {
            value: [...nameAbove(hit.line, cell ?? { x0: place.x0, x1: place.x0 }, lines), name].join(' '),
            score: 0.95,
          });
        }
      } else {
        const found = findAmounts(place.text);
        found.slice(0, 4).forEach((amount, i) => add(amounts, term, { value: amount.value, score: trust * (0.95 - 0.1 * i) }));
        // A VAT row says its rate; a net row has a weak label ("Positionen netto"), "Total HT" is no row.
        const row = rank === 0 && (term === 'BT-110' || weight < 1) ? rowAmount(term, hit.line.text) : undefined;
        if (row !== undefined && (term === 'BT-109' || term === 'BT-110')) rows[term].set(hit.line.index, row);
      }
    }
  }
  // A total printed as several rows with no sum of them (the VAT of each rate; the net of the
  // items and of the shipping): their sum is a candidate, to be confirmed by the arithmetic.
  for (const term of ['BT-109', 'BT-110'] as const) {
    if (rows[term].size > 1) add(amounts, term, { value: [...rows[term].values()].reduce((s, v) => s + v, 0), score: 0.75 });
  }

  const fields: TermRecord = {};
  const confidence: Partial<Record<TermId, number>> = {};
  const set = (term: TermId, value: string | undefined, score: number) => {
    if (value === undefined || score < DROP_BELOW) return;
    fields[term] = value;
    confidence[term] = Math.round(Math.min(0.99, score) * 100) / 100;
  };

  // BT-1, BT-2, BT-9: the best labelled value.
  const number = best(candidates.get('BT-1') ?? [])[0];
  set('BT-1', number?.value, number?.score ?? 0);
  const issued =
    best(candidates.get('BT-2') ?? [])[0] ?? unlabelledIssueDate(lines, monthFirst, claimed, number && numberLines.get(number.value));
  const due = best(candidates.get('BT-9') ?? []).find((d) => !issued || d.value >= issued.value);
  set('BT-2', issued?.value, issued?.score ?? 0);
  set('BT-9', due?.value, due?.score ?? 0);

  const type = documentType(lines);
  set('BT-3', type.value, type.score);
  const currency = currencyOf(lines);
  set('BT-5', currency?.value, currency?.score ?? 0);

  const vatIds = partyIds(lines, sections);
  const idBlockName = vatIds.seller && nameOfIdBlock(lines, vatIds.seller.value);
  set('BT-31', vatIds.seller?.value, vatIds.seller?.score ?? 0);
  set('BT-48', vatIds.buyer?.value, vatIds.buyer?.score ?? 0);
  const registration = best(candidates.get('BT-30') ?? [])[0];
  set('BT-30', registration?.value, registration?.score ?? 0);
  const seller = sellerName(lines, sections, [...(candidates.get('BT-27') ?? []), ...(idBlockName ? [idBlockName] : [])]);
  set('BT-27', seller?.value, seller?.score ?? 0);
  const buyer = best((candidates.get('BT-44') ?? []).map(spacedLegalForm))[0];
  set('BT-44', buyer?.value, buyer?.score ?? 0);
  const iban = best(lines.flatMap((l) => findIbans(l.text).map((f) => ({ value: f.value, score: 0.9 }))))[0];
  set('BT-84', iban?.value, iban?.score ?? 0);

  const printedBreakdown = vatBreakdownOf(lines);
  const labelledTotals = chooseTotals(amounts, printedBreakdown);
  const printedTotals = labelledTotals['BT-112'] ? labelledTotals : withArithmetic(labelledTotals, totalsByArithmetic(lines));
  // A credit note says what it credits in positive amounts, its type saying which way the money
  // goes (EN 16931, and the XML path); many pages print them with a minus.
  const credited = type.value === '381' && Object.values(printedTotals).some((c) => c.value < 0);
  const vatBreakdown = credited ? printedBreakdown.map((r) => ({ ...r, base: -r.base, tax: -r.tax })) : printedBreakdown;
  const totals: Totals = credited
    ? Object.fromEntries(Object.entries(printedTotals).map(([term, c]) => [term, { ...c, value: -c.value }]))
    : printedTotals;
  for (const [term, total] of Object.entries(totals) as Array<[TermId, Candidate<number>]>)
    set(term, formatCents(total.value), total.score);
  const breakdownAgrees =
    vatBreakdown.length > 0 &&
    totals['BT-109']?.value === vatBreakdown.reduce((s, r) => s + r.base, 0) &&
    totals['BT-110']?.value === vatBreakdown.reduce((s, r) => s + r.tax, 0);

  const items = lineItemsOf(lines, [totals['BT-109']?.value, best(amounts.get('BT-106') ?? [])[0]?.value]);

  const review = reviewFinding(confidence);
  const validation: Finding[] = review ? [review] : [];
  return {
    fields,
    confidence,
    vatBreakdown: breakdownAgrees
      ? vatBreakdown.map((r) => ({
          'BT-116': formatCents(r.base),
          'BT-117': formatCents(r.tax),
          'BT-118': r.rate === 0 ? 'Z' : 'S',
          'BT-119': formatCents(r.rate),
        }))
      : [],
    lines: items,
    validation,
  };
}

/** FACTEUR-REVIEW, naming the fields read below REVIEW_BELOW; also recomputed when a person corrects one. */
export function reviewFinding(confidence: Partial<Record<TermId, number>>): Finding | undefined {
  const unsure = Object.entries(confidence).filter(([, c]) => c < REVIEW_BELOW);
  if (unsure.length === 0) return undefined;
  return {
    rule: 'FACTEUR-REVIEW',
    severity: 'warning',
    message: `Read from the page with low confidence, to be checked: ${unsure.map(([t, c]) => `${t} (${c})`).join(', ')}`,
    values: { terms: unsure.map(([t]) => t).join(', ') },
  };
}

/** A name with the space OCR drops before a legal form put back ("IndustrieserviceGmbH"). */
const spacedLegalForm = (name: Candidate<string>): Candidate<string> => ({
  ...name,
  value: name.value.replace(GLUED_LEGAL_FORM, (form) => ` ${form}`),
});

/** Text in a party's block that is not a name: a labelled line, a number, an e-mail address. */
const NOT_A_NAME = /[:@]|\d{3}/;

/** Left edges that line up, give or take a third of a line's height (OCR boxes jitter by pixels). */
const aligned = (a: { x0: number }, b: { x0: number }, line: Line) => Math.abs(a.x0 - b.x0) < Math.max(4, 0.3 * (line.y1 - line.y0));

/**
 * A name too long for its column starts on the line above it (lines with nothing over it, a logo's
 * OCR noise further right, are other columns): aligned with it and alone there, at most a line's
 * height above (a paragraph's leading or a table row's padding, not the space after a title), with
 * no label, number or legal form of its own ("MVM Musterhafter" / "Name: Versicherungsverein
 * Musterstadt a.G.", or the same two lines in a letterhead).
 */
function nameAbove(line: Line, cell: { x0: number; x1: number }, lines: readonly Line[]): string[] {
  const over = (c: { x0: number; x1: number }) => c.x1 >= cell.x0 && c.x0 <= cell.x1;
  const above = lines.slice(0, line.index).findLast((l) => l.page !== line.page || l.cells.some(over));
  if (!above || above.page !== line.page || line.y0 - above.y1 > line.y1 - line.y0) return [];
  const start = above.cells.find((c) => aligned(c, cell, line));
  const alone = above.cells.every((c) => c === start || !over(c));
  return start && alone && !NOT_A_NAME.test(start.text) && !LEGAL_FORM.test(start.text) ? [start.text] : [];
}

/**
 * The first line of the seller's block under its heading, after any labelled lines, is its name
 * ("Verkäufer:" / "Globale Nummer: …" / "Physiotherapeutin" / "Tanja Tinder" / street). A name
 * without a legal form goes on to the next line when that one has it ("MVM Musterhafter" /
 * "Versicherungsverein Musterstadt a.G.").
 */
function namesUnderHeadings(lines: readonly Line[], sections: readonly Section[]): Array<Candidate<string>> {
  const found: Array<Candidate<string>> = [];
  for (const { party, heading, x0, x1 } of sections) {
    if (party !== 'seller') continue;
    const height = heading.y1 - heading.y0;
    const block = lines
      .slice(heading.index + 1, heading.index + 5)
      .filter((l) => l.page === heading.page && l.y0 - heading.y1 < 4 * height)
      .map((l) => l.cells.filter((c) => c.x0 >= x0 && c.x0 < x1))
      .filter((cells) => cells.length > 0);
    // A line is labelled when any of its cells says so ("Nummer   : 549910"); the name is its first cell.
    const at = block.findIndex((cells) => !cells.some((c) => c.text.includes(':')));
    const name = block[at]?.[0]?.text;
    if (name === undefined || NOT_A_NAME.test(name) || isAddress(name)) continue;
    const next = block[at + 1]?.[0]?.text;
    const continued = next !== undefined && !LEGAL_FORM.test(name) && LEGAL_FORM.test(next) && !NOT_A_NAME.test(next);
    found.push({ value: continued ? `${name} ${next}` : name, score: 0.8 });
  }
  return found;
}

/**
 * BT-3 from the title: the tallest cell in the top half of page 1 that starts with what a document
 * calls itself (titles are printed large); of titles as tall, a credit note's or a correction's,
 * since those name the invoice they refer to, and an invoice seldom names a credit note. No title:
 * an invoice, for review.
 */
function documentType(lines: readonly Line[]): Candidate<'380' | '381' | '384'> {
  let found: { code: '380' | '381' | '384'; height: number; ambiguous: boolean } | undefined;
  const heights = lines
    .filter((l) => l.page === 1)
    .map((l) => l.y1 - l.y0)
    .sort((a, b) => a - b);
  const usual = heights[heights.length >> 1] ?? 0;
  for (const line of lines) {
    if (line.page !== 1 || line.y0 > line.pageHeight / 2) continue;
    const height = line.y1 - line.y0;
    for (const cell of line.cells) {
      const title = fold(cell.text).replace(/^[^\p{L}]+/u, '');
      // A title is short: "Gutschrift erfolgt auf Ihr Konto …" is a sentence.
      const code =
        title.length <= 60 && title.split(/\s+/).length <= 6 ? DOCUMENT_TYPES.find(([, pattern]) => pattern.test(title))?.[0] : undefined;
      if (!code) continue;
      const taller = !found || height > 1.1 * found.height;
      const asTall = found && height >= 0.9 * found.height;
      if (taller || (asTall && found?.code === '380' && code !== '380')) found = { code, height, ambiguous: AMBIGUOUS_TITLE.test(title) };
    }
  }
  if (!found) return { value: '380', score: 0.6 };
  // An invoice's title does not say which of the many invoice types it is (self-billed, prepayment,
  // an insurer's: "Rechnung des Versicherers"): 380 is always for review, as before titles were read.
  return { value: found.code, score: found.code !== '380' && !found.ambiguous && found.height > 1.2 * usual ? 0.95 : 0.8 };
}

/**
 * The issue date when no label names it: a date beside the invoice's number (on its line or the
 * next), else the first at the top of page 1; never one another label claims (delivery, order or
 * due date), which the first date seen often is.
 */
function unlabelledIssueDate(
  lines: readonly Line[],
  monthFirst: boolean,
  claimed: ReadonlySet<string>,
  numberLine: number | undefined,
): Candidate<string> | undefined {
  const free = (line: Line) => findDates(line.text, monthFirst).find((d) => !claimed.has(`${line.index}:${d.value}`));
  const numbered = numberLine === undefined ? undefined : lines[numberLine];
  for (const line of numbered ? lines.slice(numbered.index, numbered.index + 2).filter((l) => l.page === numbered.page) : []) {
    const date = free(line);
    if (date) return { value: date.value, score: 0.7 };
  }
  for (const line of lines) {
    if (line.page !== 1 || line.y0 > line.pageHeight * 0.4) continue;
    const date = free(line);
    if (date) return { value: date.value, score: 0.5 };
  }
  return undefined;
}

/**
 * The currency, from the marks printed beside the amounts (or after a currency label), which count
 * three times those elsewhere (a bank's name, small print). One currency alone is sure, unless all
 * it has is a bare dollar sign (several countries print one); two are for review; a page whose
 * amounts carry a mark Facteur cannot name ("kr") has no currency rather than a wrong one.
 */
function currencyOf(lines: readonly Line[]): Candidate<string> | undefined {
  const tally = new Map<string, { near: number; far: number; bareDollar: boolean }>();
  for (const line of lines) {
    const amounts = findAmounts(line.text);
    const labelled = CURRENCY_LABEL.test(fold(line.text));
    const marks = CURRENCY_MARKS.flatMap(([code, pattern]) =>
      [...line.text.matchAll(pattern)].map((m) => ({ code, start: m.index, end: m.index + m[0].length, text: m[0] })),
    );
    // Where marks overlap ("CA$" and "$") the longer is the one printed.
    marks.sort((a, b) => b.end - b.start - (a.end - a.start));
    const kept = marks.filter((m, i) => !marks.slice(0, i).some((o) => o.start < m.end && m.start < o.end));
    for (const mark of kept) {
      const near = labelled || amounts.some((a) => mark.start <= a.end + 2 && mark.end >= a.start - 2);
      const t = tally.get(mark.code) ?? { near: 0, far: 0, bareDollar: true };
      if (near) t.near += 1;
      else t.far += 1;
      t.bareDollar &&= mark.text === '$';
      tally.set(mark.code, t);
    }
  }
  const ranked = [...tally].map(([code, t]) => ({ code, ...t, weight: 3 * t.near + t.far })).sort((a, b) => b.weight - a.weight);
  const [first, second] = ranked;
  if (!first || first.code === UNNAMED_CURRENCY) return undefined;
  const unnamedNear = (tally.get(UNNAMED_CURRENCY)?.near ?? 0) > 0;
  // Two currencies on one page are for review, even when the amounts carry only one.
  const score = !second ? (first.bareDollar ? 0.8 : 0.95) : first.near > 0 && second.near === 0 && !unnamedNear ? 0.85 : 0.6;
  return { value: first.code, score };
}

/** VAT ids by party: those in a buyer's block or after "client", "Ihre" are the buyer's. */
function partyIds(lines: readonly Line[], sections: readonly Section[]) {
  const seller: Array<Candidate<string>> = [];
  const buyer: Array<Candidate<string>> = [];
  for (const line of lines) {
    for (const id of findVatIds(line.text)) {
      const cell = line.cells[cellAt(line, id.start)];
      const party = partyAt(sections, line, cell?.x0 ?? 0);
      // Only the id's own label says whose it is: a footer cell may run on from other sentences
      // ("Bitte geben Sie Ihre Kundennummer an · USt-IdNr. DE…" is the seller's).
      const from = Math.max(0, (cell?.start ?? 0) - 1, id.start - 30);
      const before = fold(
        line.text
          .slice(from, id.start)
          .split(/\s[·|•–]\s|[.;]\s/)
          .at(-1) ?? '',
      );
      const score = id.checked ? 1 : 0.9;
      if (party === 'buyer' || BUYER_WORDS.test(before)) buyer.push({ value: id.value, score: 0.9 * score });
      else if (party === 'seller') seller.push({ value: id.value, score: score });
      else if (party === undefined) seller.push({ value: id.value, score: 0.8 * score });
    }
  }
  const sellerIds = best(seller).filter((c) => !buyer.some((b) => b.value === c.value));
  const first = sellerIds[0];
  // Two unplaced ids: the buyer's may sit in an address block without a heading.
  const chosen = first && sellerIds.length > 1 ? { value: first.value, score: Math.min(first.score, 0.75) } : first;
  return { seller: chosen, buyer: best(buyer)[0] };
}

/**
 * The seller: a name given in the seller's block, else the name-like cell with a company legal
 * form that is not in the buyer's block, the more often printed (letterhead, footer) the better.
 */
function sellerName(
  lines: readonly Line[],
  sections: readonly Section[],
  labelled: ReadonlyArray<Candidate<string>>,
): Candidate<string> | undefined {
  const letterhead = letterheadName(lines, sections);
  const senders = sections.flatMap((s) => (s.sender ? [{ value: s.sender, score: 0.8 }] : []));
  const found: Array<Candidate<string>> = [
    ...labelled,
    ...senders,
    ...namesUnderHeadings(lines, sections),
    ...(letterhead ? [letterhead] : []),
  ];
  for (const line of lines) {
    for (const cell of line.cells) {
      // A letterhead line "Name SARL - address - city": the name is its first part.
      const part = cell.text.split(/\s+[-–·|•]\s+|\s*[,;]\s+/)[0]?.trim() ?? '';
      if (!LEGAL_FORM.test(part) || /\d{3}/.test(part) || /:\s*$/.test(part)) continue;
      const name = [...nameAbove(line, cell, lines), part].join(' ');
      if (name.length > 60) continue;
      const party = partyAt(sections, line, cell.x0);
      if (party === 'buyer' || party === 'other') continue;
      const top = line.page === 1 && line.y0 < line.pageHeight * 0.3;
      found.push({ value: name, score: party === 'seller' ? 0.8 : top ? 0.6 : 0.45 });
    }
  }
  const key = (name: string) => name.toLowerCase();
  const [first] = best(found.map(spacedLegalForm), key);
  // A name without a label is never certain enough to go unreviewed; nor is one of two labelled
  // names that differ (a buyer's heading misread leaves its "Name:" under the seller's).
  const certain = new Set(labelled.filter((c) => c.score >= 0.9).map((c) => key(spacedLegalForm(c).value)));
  return first && !(certain.size === 1 && certain.has(key(first.value)))
    ? { value: first.value, score: Math.min(first.score, 0.85) }
    : first;
}

// A street ("35 rue d'ici", "Lindenstraße 8", "Waldstrasse 86-90") or a post code line ("80331
// München", "D-80331"); a labelled line ending in a number ("Sitz der Gesellschaft: München, HRB
// 181098") is none.
const isAddress = (text: string) => /^(?:\d+[a-z]?\b|[a-z]{1,2}-?\d{4,5}\b)|\s\d+[a-z]?(?:-\d+)?$/i.test(text) && !text.includes(':');

/**
 * The name over an address: the block of lines aligned with `cell` that ends at `start`, and in it
 * the line above its first street or post code line ("LE FOURNISSEUR" / "35 rue d'ici" / … ).
 */
function nameOverAddress(lines: readonly Line[], start: Line, cell: Cell, score: number): Candidate<string> | undefined {
  const block = [cell.text];
  let below = start;
  for (let i = start.index - 1; i >= 0; i -= 1) {
    const line = lines[i];
    if (!line || line.page !== start.page || below.y0 - line.y1 > 1.5 * (below.y1 - below.y0)) break;
    const same = line.cells.find((c) => aligned(c, cell, below));
    if (!same) continue;
    block.unshift(same.text);
    below = line;
  }
  const street = block.findIndex(isAddress);
  const name = street > 0 ? block[street - 1] : undefined;
  return name === undefined || NOT_A_NAME.test(name) ? undefined : { value: name, score };
}

/**
 * The seller's block is the column that holds its VAT id ("… / N° TVA : FR 11 …"): the name over
 * its address, or a name with a legal form that opens one of the lines just above, aligned with it
 * ("Atelier Dupont SARL - 12 rue des Lilas - 69003 Lyon" over "TVA : FR44… - SIRET : …").
 */
function nameOfIdBlock(lines: readonly Line[], vatId: string): Candidate<string> | undefined {
  const compact = (t: string) => t.replace(/[\s.-]/g, '');
  const start = lines.find((l) => compact(l.text).includes(vatId));
  const cell = start?.cells.find((c) => compact(c.text).includes(vatId));
  if (!start || !cell) return undefined;
  const over = nameOverAddress(lines, start, cell, 0.7);
  if (over) return over;
  for (const line of lines.slice(Math.max(0, start.index - 3), start.index).reverse()) {
    const opening = line.page === start.page ? line.cells.find((c) => aligned(c, cell, line)) : undefined;
    const name = opening?.text.split(SENDER_SEPARATOR)[0]?.trim();
    if (name && LEGAL_FORM.test(name) && !NOT_A_NAME.test(name)) return { value: name, score: 0.7 };
  }
  return undefined;
}

/**
 * A letter's sender comes first: the name over the first address in the top third of page 1 (two
 * address lines, one under the other, no date) that is in no buyer's or other party's block ("Die
 * Vordefinierte Firma" / "Waldstrasse 86-90" / "13403 Berlin"). Where the letterhead is a picture
 * this is the addressee, so it counts least.
 */
function letterheadName(lines: readonly Line[], sections: readonly Section[]): Candidate<string> | undefined {
  const address = (c: Cell) => isAddress(c.text) && findDates(c.text).length === 0;
  for (const line of lines) {
    if (line.page !== 1 || line.y0 > line.pageHeight / 3) break;
    const next = lines[line.index + 1];
    const cell = line.cells.find(
      (c) => address(c) && partyAt(sections, line, c.x0) === undefined && next?.cells.some((d) => address(d) && aligned(d, c, line)),
    );
    if (cell) return nameOverAddress(lines, line, cell, 0.5);
  }
  return undefined;
}

/** Numbers as printed: amounts with thousands separators, and any precision ("20,0000", "3", "5,5000"). */
function numbersIn(text: string): Array<{ value: number; start: number; end: number; decimals: number }> {
  const amounts = findAmounts(text).map((a) => ({ value: a.value / 100, start: a.start, end: a.end, decimals: 2 }));
  const plain = [...text.matchAll(/(?<![\w.,])\d+(?:[.,](\d+))?(?!\w|[.,]\d)/gu)]
    .map((m) => ({ value: Number(m[0].replace(',', '.')), start: m.index, end: m.index + m[0].length, decimals: m[1]?.length ?? 0 }))
    .filter((n) => !amounts.some((a) => a.start < n.end && n.start < a.end));
  return [...amounts, ...plain].sort((a, b) => a.start - b.start);
}

/** A row of the line table; with `wrapsAt`, the quantity and price come before it and the amount after. */
function lineItem(
  text: string,
  line: Line,
  wrapsAt?: number,
): { name: string; quantity: number; price: number; amount: number } | undefined {
  const numbers = numbersIn(text);
  for (const amount of findAmounts(text).reverse()) {
    if (amount.value <= 0 || (wrapsAt !== undefined && amount.start < wrapsAt)) continue;
    const before = numbers.filter((n) => n.end <= Math.min(amount.start, wrapsAt ?? amount.start));
    const pair = before
      .flatMap((q) => before.filter((p) => p.start > q.end).map((p) => ({ q, p })))
      .find(({ q, p }) => q.value > 0 && Math.abs(q.value * p.value * 100 - amount.value) <= 1);
    if (!pair) continue;
    const name = line.cells
      .filter((c) => c.start + c.text.length <= pair.q.start && /\p{L}{3}/u.test(c.text))
      .sort((a, b) => b.text.length - a.text.length)[0]?.text;
    // Which is the price: the one printed with cents when the other is a whole number.
    const swapped = pair.p.decimals === 0 && pair.q.decimals >= 2;
    const [quantity, price] = swapped ? [pair.p, pair.q] : [pair.q, pair.p];
    if (name) return { name, quantity: quantity.value, price: price.value, amount: amount.value };
  }
  return undefined;
}

const quantityText = (q: number) => String(Math.round(q * 10000) / 10000);

/**
 * Line items where the table is readable: rows holding a quantity, a unit price and a line amount
 * with quantity × price = amount, kept only when their amounts add up to the net total printed.
 */
function lineItemsOf(lines: readonly Line[], totals: ReadonlyArray<number | undefined>): TermRecord[] {
  const rows: Array<{ name: string; quantity: number; price: number; amount: number }> = [];
  let skip = 0;
  for (const line of lines) {
    if (skip > 0) {
      skip -= 1;
      continue;
    }
    // A row may put its amount on the line below its description (the FeRD layout does).
    const next = lines[line.index + 1];
    const joined =
      next && next.page === line.page && next.y0 - line.y1 < line.y1 - line.y0 ? `${line.text}${CELL_GAP}${next.text}` : undefined;
    for (const [text, used] of [[line.text, 0], ...(joined ? [[joined, 1] as const] : [])] as const) {
      const row = lineItem(text, line, used === 1 ? line.text.length : undefined);
      if (row) {
        rows.push(row);
        skip = used;
        break;
      }
    }
  }
  const sum = rows.reduce((s, r) => s + r.amount, 0);
  if (rows.length === 0 || !totals.some((t) => t === sum)) return [];
  return rows.map((r, i) => ({
    'BT-126': String(i + 1),
    'BT-153': r.name,
    'BT-129': quantityText(r.quantity),
    'BT-146': quantityText(r.price),
    'BT-131': formatCents(r.amount),
  }));
}

interface VatRow {
  readonly rate: number;
  readonly base: number;
  readonly tax: number;
}

/**
 * Lines that hold a rate, a base and a tax with base × rate = tax: the VAT breakdown table. A row
 * of the line table is none, even when its numbers happen to agree ("2   Joghurt   50   5,50
 * 275,00": position 2, and 2 % of 275,00 is 5,50).
 */
function vatBreakdownOf(lines: readonly Line[]): VatRow[] {
  const rows = new Map<number, VatRow>();
  for (const line of lines) {
    const amounts = findAmounts(line.text);
    if (amounts.length < 2 || lineItem(line.text, line)) continue;
    const rates = findRates(line.text).filter((r) => !amounts.some((a) => a.start <= r.start && r.start < a.end));
    for (const rate of rates) {
      for (const base of amounts) {
        // A zero rate's row prints a zero tax beside a base that is not zero.
        const tax = amounts.find(
          (a) =>
            a !== base &&
            base.value !== 0 &&
            (a.value !== 0 || rate.value === 0) &&
            Math.abs((base.value * rate.value) / 10000 - a.value) <= 1.01,
        );
        if (tax && !rows.has(rate.value)) rows.set(rate.value, { rate: rate.value, base: base.value, tax: tax.value });
      }
    }
  }
  return [...rows.values()];
}

/** VAT rates in use in Europe, in hundredths of a percent, for pages that print none. */
const USUAL_RATES = [
  2000, 1900, 2100, 2200, 2300, 2400, 2500, 2700, 1000, 700, 550, 900, 500, 600, 800, 1200, 1300, 1400, 1500, 1700, 810, 770, 250, 400, 210,
];

/**
 * Totals found by their arithmetic alone, for pages whose labels the finder does not know (a
 * language it does not read, a retail receipt): three amounts where net + VAT = gross and the VAT
 * is the net at a rate the page prints (else a usual one). The largest such gross is the
 * invoice's; nothing says which is which but the sums, so all three are flagged for review.
 */
function totalsByArithmetic(lines: readonly Line[]): Totals {
  const values = [...new Set(lines.flatMap((l) => findAmounts(l.text).map((a) => a.value)).filter((v) => v !== 0))].sort(
    (a, b) => Math.abs(b) - Math.abs(a),
  );
  const printedRates = new Set(
    lines
      .flatMap((l) =>
        findRates(l.text)
          .filter((r) => l.text.slice(r.start, r.end).includes('%'))
          .map((r) => r.value),
      )
      .filter((r) => r > 0),
  );
  const rates = printedRates.size > 0 ? [...printedRates] : USUAL_RATES;
  const present = new Set(values);
  for (const gross of values) {
    for (const vat of values) {
      const net = gross - vat;
      if (Math.abs(vat) >= Math.abs(gross) || !present.has(net) || net * vat <= 0) continue;
      if (rates.some((rate) => Math.abs((net * rate) / 10000 - vat) <= 1 + 0.002 * Math.abs(vat))) {
        return { 'BT-109': { value: net, score: 0.6 }, 'BT-110': { value: vat, score: 0.6 }, 'BT-112': { value: gross, score: 0.6 } };
      }
    }
  }
  return {};
}

/** Totals without a labelled gross completed by their arithmetic, when it agrees with every labelled one. */
function withArithmetic(labelled: Totals, found: Totals): Totals {
  const terms = ['BT-109', 'BT-110', 'BT-112'] as const;
  if (!found['BT-112'] || terms.some((t) => labelled[t] && labelled[t].value !== found[t]?.value)) return labelled;
  const completed: Totals = { ...labelled };
  for (const t of terms) {
    const value = found[t];
    if (value) completed[t] = { value: value.value, score: Math.min(0.85, Math.max(value.score, labelled[t]?.score ?? 0)) };
  }
  return completed;
}

type Totals = Partial<Record<'BT-106' | 'BT-109' | 'BT-110' | 'BT-112' | 'BT-115', Candidate<number>>>;

/**
 * The totals that agree: HT + TVA = TTC, and the VAT breakdown's sums. An agreeing set is trusted;
 * values that agree with nothing are reported for review.
 */
function chooseTotals(amounts: ReadonlyMap<LabelledTerm, ReadonlyArray<Candidate<number>>>, breakdown: readonly VatRow[]): Totals {
  const of = (term: LabelledTerm) => [...(amounts.get(term) ?? [])];
  const baseSum = breakdown.reduce((s, r) => s + r.base, 0);
  const taxSum = breakdown.reduce((s, r) => s + r.tax, 0);
  const fromBreakdown = breakdown.length > 0 ? 0.6 : 0;
  const net = best([
    ...of('BT-109'),
    ...of('BT-106').map((c) => ({ ...c, score: 0.6 * c.score })),
    ...(fromBreakdown ? [{ value: baseSum, score: fromBreakdown }] : []),
  ]).slice(0, 8);
  const vat = best([...of('BT-110'), ...(fromBreakdown ? [{ value: taxSum, score: fromBreakdown }] : [])]).slice(0, 8);
  const gross = best([...of('BT-112'), ...of('BT-115').map((c) => ({ ...c, score: 0.7 * c.score }))]).slice(0, 8);
  const due = best(of('BT-115'))[0];

  let chosen: { net?: Candidate<number>; vat?: Candidate<number>; gross?: Candidate<number>; agree: boolean; score: number } = {
    agree: false,
    score: 0,
  };
  for (const n of [undefined, ...net]) {
    for (const v of [undefined, ...vat]) {
      for (const g of [undefined, ...gross]) {
        // Signed: a credit note or a correction may print every total with a minus.
        const agree =
          n !== undefined &&
          v !== undefined &&
          g !== undefined &&
          Math.abs(n.value + v.value - g.value) <= 1 &&
          Math.abs(v.value) < Math.abs(n.value) &&
          n.value * v.value >= 0;
        const untaxed = n !== undefined && v === undefined && g !== undefined && n.value === g.value;
        const score = (n?.score ?? 0) + (v?.score ?? 0) + (g?.score ?? 0) + (agree ? 1.5 : untaxed ? 0.5 : 0);
        if (n && v && g && !agree) continue;
        // Of two sets that add up, the larger is the invoice's: the other is one rate's row of a
        // breakdown printed under the same headings.
        const size = (c: Candidate<number> | undefined) => Math.abs(c?.value ?? 0);
        const larger = agree && chosen.agree && size(g) > size(chosen.gross);
        const smaller = agree && chosen.agree && size(g) < size(chosen.gross);
        if (larger || (!smaller && score > chosen.score) || (agree && !chosen.agree)) chosen = { net: n, vat: v, gross: g, agree, score };
      }
    }
  }
  const trusted = (c: Candidate<number> | undefined) => c && { value: c.value, score: chosen.agree ? 0.8 + 0.2 * c.score : 0.75 * c.score };
  const totals: Totals = {};
  const put = (term: keyof Totals, c: Candidate<number> | undefined) => {
    if (c) totals[term] = c;
  };
  put('BT-109', trusted(chosen.net));
  put('BT-110', trusted(chosen.vat));
  put('BT-112', trusted(chosen.gross));
  if (due) put('BT-115', { value: due.value, score: due.value === chosen.gross?.value && chosen.agree ? 0.97 : 0.8 * due.score });
  return totals;
}
