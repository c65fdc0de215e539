// Does the page of a hybrid PDF show the invoice its XML describes? The XML is what gets booked and
// the page is what a person approves, so a PDF whose visible text lacks the XML's number, issue date
// or total is flagged: the picture and the data disagree (a placeholder page, a page regenerated
// from other data, a tampered attachment). Values are looked for in the forms people print them.
import { Decimal } from 'decimal.js';
import type { Finding, TermRecord } from '../model.ts';

const MONTHS: Readonly<Record<string, readonly string[]>> = {
  en: ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  de: ['januar', 'februar', 'märz', 'april', 'mai', 'juni', 'juli', 'august', 'september', 'oktober', 'november', 'dezember'],
};

/** Text compared without whitespace and case: pdfjs splits and spaces runs unpredictably. */
const compact = (text: string) => text.replace(/\s+/g, '').toLowerCase();

/** The ways an issue date (YYYY-MM-DD) is printed, compacted. */
export function dateRenderings(isoDate: string): string[] {
  const [year = '', month = '', day = ''] = isoDate.split('-');
  const d = String(Number(day));
  const m = String(Number(month));
  const yy = year.slice(2);
  const numeric = [day, d].flatMap((dd) =>
    [month, m].flatMap((mm) => [
      ...['.', '/', '-'].flatMap((sep) => [`${dd}${sep}${mm}${sep}${year}`, `${dd}${sep}${mm}${sep}${yy}`]),
      // The US order, as English-language generators (Odoo, QuickBooks) print it.
      `${mm}/${dd}/${year}`,
    ]),
  );
  const named = Object.values(MONTHS).flatMap((names) => {
    const name = names[Number(month) - 1] ?? '';
    return [name, name.slice(0, 3)].flatMap((n) => [
      `${d}${n}${year}`,
      `${d}.${n}${year}`,
      `${day}.${n}${year}`,
      `${n}${d},${year}`,
      `${d}-${n}-${year}`,
      `${d}er${n}${year}`,
    ]);
  });
  return [isoDate, `${year}/${month}/${day}`, `${year}${month}${day}`, ...numeric, ...named];
}

/**
 * Every amount a run of digits and separators can stand for: "1.455,30", "1 455,30" and
 * "1,455.30" all read 1455.30; "1.455" may be 1455 or 1.455, so both are kept.
 */
export function amountReadings(token: string): Decimal[] {
  const text = token.replace(/[\s'\u00a0\u202f]/g, '');
  if (!/^\d[\d.,]*$/.test(text)) return [];
  const readings: Decimal[] = [];
  const last = Math.max(text.lastIndexOf('.'), text.lastIndexOf(','));
  const grouped = (digits: string) => /^\d{1,3}([.,]\d{3})*$/.test(digits) || /^\d+$/.test(digits);
  if (last === -1) return [new Decimal(text)];
  const integer = text.slice(0, last);
  const fraction = text.slice(last + 1);
  if (/^\d+$/.test(fraction) && (integer === '' || grouped(integer))) {
    readings.push(new Decimal(`${integer.replace(/[.,]/g, '') || '0'}.${fraction}`));
  }
  if (grouped(text)) readings.push(new Decimal(text.replace(/[.,]/g, '')));
  return readings;
}

function amountIsVisible(text: string, amount: string): boolean {
  const wanted = new Decimal(amount).abs();
  for (const match of text.matchAll(/\d[\d.,'\s\u00a0\u202f]*\d|\d/g)) {
    // "2 1 455,30" may be a quantity followed by an amount: try every suffix that starts a group.
    const parts = match[0].split(/[\s\u00a0\u202f]+/);
    for (let start = 0; start < parts.length; start += 1) {
      if (amountReadings(parts.slice(start).join(' ')).some((reading) => reading.equals(wanted))) return true;
    }
  }
  return false;
}

/** A warning when the page text lacks the number, issue date or total of the XML; none without text. */
export function checkVisibleText(pageText: string, fields: TermRecord): Finding[] {
  const compacted = compact(pageText);
  if (compacted === '') return [];
  const missing: string[] = [];
  const number = fields['BT-1'];
  if (number !== undefined && !compacted.includes(compact(number))) missing.push(`invoice number ${number} (BT-1)`);
  const issued = fields['BT-2'];
  if (issued !== undefined && !dateRenderings(issued).some((form) => compacted.includes(compact(form)))) {
    missing.push(`issue date ${issued} (BT-2)`);
  }
  const total = fields['BT-112'];
  if (total !== undefined && !amountIsVisible(pageText, total)) missing.push(`total ${total} (BT-112)`);
  if (missing.length === 0) return [];
  return [
    {
      rule: 'FACTEUR-PDF-XML',
      severity: 'warning',
      message: `The PDF page does not show the ${missing.join(', ')} of its embedded XML: the picture and the data may describe different invoices`,
    },
  ];
}
