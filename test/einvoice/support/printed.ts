// The project's own printed invoices, for tests of the visual path: PDFs drawn with pdf-lib from
// known values, in French, English and German, in several layouts (labels beside their values,
// labels above them in columns, a letterhead line), so that the field finder is tested on layout
// rather than on one template. Images of the same pages are made from them by the tests.
import {
  beginText,
  degrees,
  endText,
  moveText,
  PDFDocument,
  PDFOperator,
  PDFOperatorNames,
  rgb,
  setFontAndSize,
  StandardFonts,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';

export type Language = 'fr' | 'en' | 'de';
export type Layout = 'beside' | 'columns' | 'letterhead' | 'blocks';

export interface PrintedParty {
  readonly name: string;
  readonly street: string;
  readonly city: string;
  readonly vatId?: string;
  readonly siren?: string;
  /** The person to ask, printed under the name in the `blocks` layout. */
  readonly contact?: string;
}

export interface PrintedInvoice {
  readonly language: Language;
  readonly layout: Layout;
  readonly number: string;
  /** YYYY-MM-DD */
  readonly issueDate: string;
  readonly dueDate: string;
  readonly seller: PrintedParty;
  readonly buyer: PrintedParty;
  readonly lines: ReadonlyArray<{ readonly name: string; readonly quantity: number; readonly unitPriceCents: number }>;
  /** VAT rate in percent. */
  readonly rate: number;
  readonly iban?: string;
  /**
   * The seller's name letter-spaced the way some generators set bold text (FOP with the regular
   * font's widths): each letter pushed 0.11 em right by a TJ adjustment, which pdfjs reads as a
   * space, and the words 0.3 em apart with no space character between them.
   */
  readonly trackedSellerName?: boolean;
  /**
   * Small print running up the page from the net total's line, as AWV's sample PDFs print their
   * copyright: placed so that, were it read as horizontal text, it would end where the label starts.
   */
  readonly marginNote?: string;
  /** The seller's ids printed on light grey bands, as tables shade every other row. */
  readonly shadedIds?: boolean;
  /** What the document is, by its title and its number's label: an invoice unless said. */
  readonly documentType?: DocumentType;
  /** Line amounts and totals printed with a minus, as many credit notes are. */
  readonly signed?: boolean;
  /** The currency its amounts are printed in (EUR unless said): a symbol or its code beside each amount. */
  readonly currency?: PrintedCurrency;
  /** The number of the invoice this one credits or corrects, printed under the header. */
  readonly refersTo?: string;
}

export type DocumentType = 'invoice' | 'credit-note' | 'corrective';

/** Currencies and the symbol printed for each ("kr" stands for several; the standard fonts have no ₹). */
const SYMBOLS = { EUR: '€', USD: '$', GBP: '£', CHF: 'CHF', INR: 'Rs.', SEK: 'kr' } as const;
export type PrintedCurrency = keyof typeof SYMBOLS;

/** The totals the page prints, in cents. */
export function totalsOf(invoice: PrintedInvoice): { net: number; vat: number; gross: number } {
  const net = invoice.lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0);
  const vat = Math.round((net * invoice.rate) / 100);
  return { net, vat, gross: net + vat };
}

export const decimal = (cents: number): string =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

const group = (integer: number, separator: string) => String(integer).replace(/\B(?=(\d{3})+(?!\d))/g, separator);

/** « 1 234,56 € » in French, « 1.234,56 EUR » in German (the symbol for crowns), « €1,234.56 » in English. */
function money(signed: number, language: Language, currency: PrintedCurrency = 'EUR'): string {
  const sign = signed < 0 ? '-' : '';
  const cents = Math.abs(signed);
  const integer = Math.floor(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  const symbol = SYMBOLS[currency];
  if (language === 'fr') return `${sign}${group(integer, ' ')},${fraction} ${symbol}`;
  if (language === 'de') return `${sign}${group(integer, '.')},${fraction} ${currency === 'SEK' ? symbol : currency}`;
  return `${sign}${symbol}${symbol.length > 1 ? ' ' : ''}${group(integer, ',')}.${fraction}`;
}

const MONTHS: Record<Language, string[]> = {
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
};

/** Dates in words for the letterhead layout, in figures for the others. */
function printedDate(iso: string, language: Language, layout: Layout): string {
  const [y, m, d] = iso.split('-');
  if (layout === 'letterhead') {
    const month = MONTHS[language][Number(m) - 1];
    return language === 'en'
      ? `${month} ${Number(d)}, ${y}`
      : language === 'de'
        ? `${Number(d)}. ${month} ${y}`
        : `${Number(d)} ${month} ${y}`;
  }
  return language === 'de' ? `${d}.${m}.${y}` : `${d}/${m}/${y}`;
}

const WORDS = {
  fr: {
    title: 'FACTURE',
    seller: 'Vendeur :',
    number: 'Facture n°',
    date: 'Date de facture',
    due: 'Échéance',
    buyer: 'Facturé à',
    net: 'Total HT',
    vat: (r: number) => `TVA ${r} %`,
    gross: 'Total TTC',
    due2: 'Net à payer',
    vatId: 'N° TVA intracommunautaire :',
    siren: 'SIREN :',
    item: 'Désignation',
    qty: 'Qté',
    price: 'Prix unitaire HT',
    amount: 'Montant HT',
    from: 'du',
  },
  en: {
    title: 'INVOICE',
    seller: 'Seller:',
    number: 'Invoice No.',
    date: 'Invoice date',
    due: 'Due date',
    buyer: 'Bill to',
    net: 'Subtotal',
    vat: (r: number) => `VAT ${r}%`,
    gross: 'Total',
    due2: 'Amount due',
    vatId: 'VAT number:',
    siren: 'Company no.:',
    item: 'Description',
    qty: 'Qty',
    price: 'Unit price',
    amount: 'Amount',
    from: 'dated',
  },
  de: {
    title: 'RECHNUNG',
    seller: 'Verkäufer:',
    number: 'Rechnungsnummer',
    date: 'Rechnungsdatum',
    due: 'Fällig am',
    buyer: 'Rechnungsempfänger',
    net: 'Nettobetrag',
    vat: (r: number) => `MwSt. ${r} %`,
    gross: 'Gesamtbetrag',
    due2: 'Zahlbetrag',
    vatId: 'USt-IdNr.:',
    siren: 'HRB:',
    item: 'Bezeichnung',
    qty: 'Menge',
    price: 'Einzelpreis',
    amount: 'Betrag',
    from: 'vom',
  },
} as const;

/** The title and the number's label of the documents that are not invoices, and how they cite the invoice they refer to. */
const OTHER_DOCUMENTS: Record<
  Language,
  Record<Exclude<DocumentType, 'invoice'>, { title: string; number: string }> & { refersTo: string }
> = {
  fr: {
    'credit-note': { title: 'AVOIR', number: 'Avoir n°' },
    corrective: { title: 'FACTURE RECTIFICATIVE', number: 'Facture rectificative n°' },
    refersTo: 'Sur facture n°',
  },
  en: {
    'credit-note': { title: 'CREDIT NOTE', number: 'Credit note no.' },
    corrective: { title: 'CORRECTED INVOICE', number: 'Corrected invoice no.' },
    refersTo: 'Original invoice no.',
  },
  de: {
    'credit-note': { title: 'GUTSCHRIFT', number: 'Gutschrift Nr.' },
    corrective: { title: 'RECHNUNGSKORREKTUR', number: 'Rechnungskorrektur Nr.' },
    refersTo: 'Zur Rechnung Nr.',
  },
};

/** Draws the invoice on an A4 page and returns the PDF (no embedded XML: a plain PDF). */
export async function printInvoice(invoice: PrintedInvoice): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const { language, layout } = invoice;
  const other = invoice.documentType && invoice.documentType !== 'invoice' ? OTHER_DOCUMENTS[language][invoice.documentType] : undefined;
  const w = { ...WORDS[language], ...other };
  const sign = invoice.signed ? -1 : 1;
  const { net, vat, gross } = Object.fromEntries(Object.entries(totalsOf(invoice)).map(([k, v]) => [k, sign * v])) as ReturnType<
    typeof totalsOf
  >;
  // y counts from the top of the page, as one reads it.
  const text = (s: string, x: number, y: number, size = 10, font: PDFFont = regular) => page.drawText(s, { x, y: 842 - y, size, font });
  const right = (s: string, x1: number, y: number, size = 10, font: PDFFont = regular) =>
    text(s, x1 - font.widthOfTextAtSize(s, size), y, size, font);

  const seller = invoice.seller;
  const sellerIds = [seller.vatId && `${w.vatId} ${seller.vatId}`, seller.siren && `${w.siren} ${seller.siren}`].filter((s): s is string =>
    Boolean(s),
  );
  if (layout === 'letterhead') {
    text([seller.name, seller.street, seller.city].join(' · '), 50, 50, 9);
    text(`${w.title} ${invoice.number} ${w.from} ${printedDate(invoice.issueDate, language, layout)}`, 50, 110, 16, bold);
    text(`${w.due} : ${printedDate(invoice.dueDate, language, layout)}`, 50, 135);
  } else {
    if (layout === 'blocks') {
      // The seller's block under its heading, as e-invoice viewers print it: the name wrapped to a
      // column of 16 characters, then the person to ask, then the address.
      const name = seller.name.split(' ').reduce<string[]>((wrapped, word) => {
        const last = wrapped.at(-1);
        return last !== undefined && `${last} ${word}`.length <= 16 ? [...wrapped.slice(0, -1), `${last} ${word}`] : [...wrapped, word];
      }, []);
      [w.seller, ...name, seller.contact ?? '', seller.street, seller.city, ...sellerIds].forEach((s, i) =>
        text(s, 50, 50 + 12 * i, 9, i === 0 ? bold : regular),
      );
    } else {
      if (invoice.trackedSellerName) tracked(page, bold, seller.name, 50, 842 - 50, 14);
      else text(seller.name, 50, 50, 14, bold);
      text(seller.street, 50, 68);
      text(seller.city, 50, 82);
      sellerIds.forEach((s, i) => {
        if (invoice.shadedIds)
          page.drawRectangle({ x: 45, y: 842 - 96 - 14 * i - 4, width: 500, height: 14, color: rgb(0.94, 0.94, 0.94) });
        text(s, 50, 96 + 14 * i);
      });
    }
    text(w.title, Math.min(400, 545 - bold.widthOfTextAtSize(w.title, 18)), 50, 18, bold);
    if (invoice.refersTo) text(`${OTHER_DOCUMENTS[language].refersTo} ${invoice.refersTo}`, 330, 174);
    if (layout !== 'columns') {
      [
        [w.number, invoice.number],
        [w.date, printedDate(invoice.issueDate, language, layout)],
        [w.due, printedDate(invoice.dueDate, language, layout)],
      ].forEach(([label, value], i) => {
        text(`${label} :`, 330, 110 + 16 * i);
        text(value ?? '', 450, 110 + 16 * i);
      });
    } else {
      [
        [w.number, invoice.number],
        [w.date, printedDate(invoice.issueDate, language, layout)],
        [w.due, printedDate(invoice.dueDate, language, layout)],
      ].forEach(([label, value], i) => {
        text(label ?? '', 50 + 130 * i, 150, 9, bold);
        text(value ?? '', 50 + 130 * i, 164);
      });
    }
  }
  // The addressee's window.
  text(w.buyer, 330, 190, 9, bold);
  [invoice.buyer.name, invoice.buyer.street, invoice.buyer.city, invoice.buyer.vatId && `${w.vatId} ${invoice.buyer.vatId}`]
    .filter((s): s is string => Boolean(s))
    .forEach((s, i) => text(s, 330, 205 + 14 * i));

  // Lines.
  let y = 300;
  text(w.item, 50, y, 9, bold);
  right(w.qty, 330, y, 9, bold);
  right(w.price, 430, y, 9, bold);
  right(w.amount, 540, y, 9, bold);
  for (const line of invoice.lines) {
    y += 18;
    text(line.name, 50, y);
    right(String(line.quantity), 330, y);
    right(money(line.unitPriceCents, language, invoice.currency), 430, y);
    right(money(sign * line.quantity * line.unitPriceCents, language, invoice.currency), 540, y);
  }

  // Totals.
  y += 40;
  if (layout === 'columns') {
    [w.net, w.vat(invoice.rate), w.gross].forEach((label, i) => right(label, 330 + 105 * i, y, 9, bold));
    [net, vat, gross].forEach((value, i) => right(money(value, language, invoice.currency), 330 + 105 * i, y + 15));
    y += 30;
  } else {
    for (const [label, value] of [
      [w.net, net],
      [w.vat(invoice.rate), vat],
      [w.gross, gross],
    ] as const) {
      if (label === w.net && invoice.marginNote) {
        page.drawText(invoice.marginNote, {
          x: 330 - regular.widthOfTextAtSize(invoice.marginNote, 7) - 1,
          y: 842 - y,
          size: 7,
          font: regular,
          rotate: degrees(90),
        });
      }
      text(label, 330, y, 10, label === w.gross ? bold : regular);
      right(money(value, language, invoice.currency), 540, y, 10, label === w.gross ? bold : regular);
      y += 16;
    }
  }
  text(w.due2, 330, y + 10, 10, bold);
  right(money(gross, language, invoice.currency), 540, y + 10, 10, bold);
  if (invoice.iban) text(`IBAN : ${invoice.iban}`, 50, y + 50, 9);
  if (layout === 'letterhead') footer(page, regular, [seller.name, ...sellerIds].join(' – '));
  return pdf.save();
}

function tracked(page: PDFPage, font: PDFFont, line: string, x: number, y: number, size: number): void {
  const key = page.node.newFontDictionary(font.name, font.ref);
  // TJ numbers are thousandths of an em, negative to the right.
  const run = line
    .split(' ')
    .flatMap((word, i) => [
      ...(i > 0 ? [-300] : []),
      ...[...word].flatMap((letter, j) => (j > 0 ? [-110, font.encodeText(letter)] : [font.encodeText(letter)])),
    ]);
  page.pushOperators(
    beginText(),
    setFontAndSize(key, size),
    moveText(x, y),
    PDFOperator.of(PDFOperatorNames.ShowTextAdjusted, [page.doc.context.obj(run)]),
    endText(),
  );
}

function footer(page: PDFPage, font: PDFFont, line: string): void {
  page.drawText(line, { x: 50, y: 40, size: 8, font });
}

/** Three sellers and buyers, one per language, with valid check digits (SIREN Luhn, French VAT key). */
export const SAMPLES: Record<Language, Omit<PrintedInvoice, 'layout'>> = {
  fr: {
    language: 'fr',
    number: 'F2026-0042',
    issueDate: '2026-11-13',
    dueDate: '2026-12-13',
    seller: {
      name: 'Atelier Dupont SARL',
      street: '12 rue des Lilas',
      city: '69003 Lyon',
      vatId: 'FR44732829320',
      siren: '732 829 320',
      contact: 'Claire Dupont',
    },
    buyer: { name: 'Boulangerie Martin SAS', street: '3 place du Marché', city: '75011 Paris', vatId: 'FR83404833048' },
    lines: [
      { name: 'Réparation four', quantity: 2, unitPriceCents: 45_000 },
      { name: 'Pièces détachées', quantity: 3, unitPriceCents: 11_152 },
    ],
    rate: 20,
    iban: 'FR7630006000011234567890189',
  },
  en: {
    language: 'en',
    number: 'INV-1187',
    issueDate: '2026-03-05',
    dueDate: '2026-04-04',
    seller: {
      name: 'Northwind Supplies Ltd',
      street: '5 Harbour Road',
      city: 'Dublin D02 X285',
      vatId: 'GB123456789',
      contact: 'Sean Murphy',
    },
    buyer: { name: 'Contoso Retail Inc', street: '200 Main Street', city: 'Bristol BS1 4DJ' },
    lines: [
      { name: 'Printer paper A4', quantity: 40, unitPriceCents: 499 },
      { name: 'Toner cartridge', quantity: 3, unitPriceCents: 8_950 },
      { name: 'Delivery', quantity: 1, unitPriceCents: 1_500 },
    ],
    rate: 20,
  },
  de: {
    language: 'de',
    number: 'RE-2026-0815',
    issueDate: '2026-06-05',
    dueDate: '2026-07-05',
    seller: {
      name: 'Müller Haustechnik GmbH',
      street: 'Lindenstraße 8',
      city: '80331 München',
      vatId: 'DE129273398',
      contact: 'Anna Weber',
    },
    buyer: { name: 'Schneider Bau AG', street: 'Hafenweg 22', city: '20457 Hamburg', vatId: 'DE811907980' },
    lines: [
      { name: 'Wartung Heizungsanlage', quantity: 1, unitPriceCents: 128_000 },
      { name: 'Ersatzteile', quantity: 4, unitPriceCents: 2_375 },
    ],
    rate: 19,
  },
};
