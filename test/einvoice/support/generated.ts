// Labelled synthetic invoices: a seed gives a plain PDF and the values printed on it. Layout,
// fonts, label wording (fr, de, en, nl, it, es), party blocks left or right, the seller's ids in
// its block or in the footer, one or two VAT rates, currencies, credit notes with or without minus
// signs: drawn at random from the seed, so that the field finder is measured on layouts no rule
// was written against. Never the only yardstick: the corpus's held-out folds decide.
import { checkVAT, countries } from 'jsvat';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';

export type GeneratedLanguage = 'fr' | 'de' | 'en' | 'nl' | 'it' | 'es';

/** The values the page prints, as the corpus labels write them (`fields.norm`). */
export type GeneratedLabels = Record<'BT-1' | 'BT-2' | 'BT-3' | 'BT-5' | 'BT-27' | 'BT-31' | 'BT-109' | 'BT-110' | 'BT-112', string>;

export interface GeneratedInvoice {
  readonly seed: number;
  readonly language: GeneratedLanguage;
  /** What was drawn, for a failing test's message. */
  readonly layout: string;
  readonly pdf: Uint8Array;
  readonly labels: GeneratedLabels;
}

/** mulberry32: a small deterministic generator, so that a seed always gives the same invoice. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Vocabulary {
  readonly invoice: readonly string[];
  readonly creditNote: readonly string[];
  readonly number: readonly string[];
  readonly creditNumber: readonly string[];
  readonly date: readonly string[];
  readonly due: readonly string[];
  readonly seller: readonly string[];
  readonly buyer: readonly string[];
  readonly net: readonly string[];
  readonly vat: readonly string[];
  readonly gross: readonly string[];
  readonly vatId: readonly string[];
  readonly rates: readonly number[];
  readonly country: string;
  readonly legalForms: readonly string[];
  readonly streets: readonly string[];
  readonly cities: readonly string[];
  readonly items: readonly string[];
  /** Thousands separator, decimal mark, date separator. */
  readonly format: readonly [string, string, string];
  /** Other dates and numbers a header prints beside the invoice's own: the finder must not take them. */
  readonly delivery: readonly string[];
  readonly references: readonly string[];
  readonly months: readonly string[];
}

const VOCABULARIES: Record<GeneratedLanguage, Vocabulary> = {
  fr: {
    invoice: ['FACTURE', 'Facture'],
    creditNote: ['AVOIR', "FACTURE D'AVOIR"],
    number: ['Facture n°', 'N° de facture', 'Numéro de facture'],
    creditNumber: ['Avoir n°', "N° d'avoir"],
    date: ['Date de facture', 'Date', "Date d'émission"],
    due: ['Échéance', "Date d'échéance"],
    seller: ['Vendeur', 'Émetteur', 'Fournisseur'],
    buyer: ['Client', 'Facturé à', 'Adresse de facturation'],
    net: ['Total HT', 'Montant HT', 'Sous-total HT'],
    vat: ['TVA', 'Montant TVA'],
    gross: ['Total TTC', 'Montant TTC', 'Net à payer'],
    vatId: ['N° TVA intracommunautaire :', 'TVA :', 'N° TVA :'],
    rates: [20, 10, 5.5],
    country: 'FR',
    legalForms: ['SARL', 'SAS', 'SA', 'EURL'],
    streets: ['12 rue des Lilas', '4 avenue Foch', '31 boulevard Carnot'],
    cities: ['69003 Lyon', '75011 Paris', '33000 Bordeaux'],
    items: ['Prestation de conseil', 'Maintenance annuelle', 'Fournitures de bureau', 'Installation'],
    format: [' ', ',', '/'],
    delivery: ['Date de livraison', 'Date de commande'],
    references: ['N° client', 'N° de commande'],
    months: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  },
  de: {
    invoice: ['RECHNUNG', 'Rechnung'],
    creditNote: ['GUTSCHRIFT', 'Gutschrift'],
    number: ['Rechnungsnummer', 'Rechnung Nr.', 'Rechnungs-Nr.'],
    creditNumber: ['Gutschrift Nr.', 'Gutschriftsnummer'],
    date: ['Rechnungsdatum', 'Datum', 'Belegdatum'],
    due: ['Fällig am', 'Zahlbar bis', 'Fälligkeitsdatum'],
    seller: ['Lieferant', 'Verkäufer', 'Rechnungssteller'],
    buyer: ['Kunde', 'Rechnungsempfänger', 'Käufer'],
    net: ['Nettobetrag', 'Summe netto', 'Gesamt netto', 'Nettosumme'],
    vat: ['MwSt.', 'USt.', 'Umsatzsteuer'],
    gross: ['Gesamtbetrag', 'Bruttobetrag', 'Rechnungsbetrag', 'Endbetrag'],
    vatId: ['USt-IdNr.:', 'USt.-ID:', 'Umsatzsteuer-ID:'],
    rates: [19, 7],
    country: 'DE',
    legalForms: ['GmbH', 'AG', 'KG', 'GmbH & Co. KG'],
    streets: ['Lindenstraße 8', 'Hafenweg 22', 'Am Markt 3'],
    cities: ['80331 München', '20457 Hamburg', '50667 Köln'],
    items: ['Wartung', 'Beratung', 'Ersatzteile', 'Montage'],
    format: ['.', ',', '.'],
    delivery: ['Lieferdatum', 'Bestelldatum', 'Leistungsdatum'],
    references: ['Kundennummer', 'Bestellnummer', 'Auftragsnummer'],
    months: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  },
  en: {
    invoice: ['INVOICE', 'Invoice', 'TAX INVOICE'],
    creditNote: ['CREDIT NOTE', 'Credit Note'],
    number: ['Invoice No.', 'Invoice number', 'Invoice #'],
    creditNumber: ['Credit note no.', 'Credit Note Number'],
    date: ['Invoice date', 'Date', 'Date of issue'],
    due: ['Due date', 'Payment due'],
    seller: ['From', 'Supplier', 'Seller'],
    buyer: ['Bill to', 'Customer', 'Invoice to'],
    net: ['Subtotal', 'Net total', 'Total excl. VAT'],
    vat: ['VAT', 'Total VAT', 'Tax'],
    gross: ['Total', 'Total incl. VAT', 'Amount due', 'Grand total'],
    vatId: ['VAT number:', 'VAT Reg. No.:', 'VAT:'],
    rates: [20, 5],
    country: 'GB',
    legalForms: ['Ltd', 'Limited', 'PLC', 'LLP'],
    streets: ['5 Harbour Road', '200 Main Street', '14 Mill Lane'],
    cities: ['Bristol BS1 4DJ', 'Leeds LS1 3AB', 'York YO1 7HH'],
    items: ['Consulting', 'Annual support', 'Printer paper', 'Delivery'],
    format: [',', '.', '/'],
    delivery: ['Delivery date', 'Order date'],
    references: ['Customer No.', 'Order number', 'PO number'],
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  },
  nl: {
    invoice: ['FACTUUR', 'Factuur'],
    creditNote: ['CREDITNOTA', 'Creditfactuur'],
    number: ['Factuurnummer', 'Factuur nr.'],
    creditNumber: ['Creditnota nr.', 'Creditnotanummer'],
    date: ['Factuurdatum', 'Datum'],
    due: ['Vervaldatum', 'Te betalen voor'],
    seller: ['Leverancier', 'Verkoper'],
    buyer: ['Klant', 'Factuuradres'],
    net: ['Subtotaal', 'Totaal excl. btw', 'Bedrag excl. btw'],
    vat: ['BTW', 'Btw-bedrag', 'Totaal btw'],
    gross: ['Totaal', 'Totaal incl. btw', 'Te betalen'],
    vatId: ['Btw-nummer:', 'BTW nr.:', 'Btw-id:'],
    rates: [21, 9],
    country: 'NL',
    legalForms: ['B.V.', 'N.V.'],
    streets: ['Keizersgracht 12', 'Stationsplein 4', 'Dorpsstraat 7'],
    cities: ['1015 CS Amsterdam', '3511 CE Utrecht', '2511 BT Den Haag'],
    items: ['Advieswerk', 'Onderhoud', 'Kantoorartikelen', 'Installatie'],
    format: ['.', ',', '-'],
    delivery: ['Leverdatum', 'Orderdatum'],
    references: ['Klantnummer', 'Ordernummer'],
    months: ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'],
  },
  it: {
    invoice: ['FATTURA', 'Fattura'],
    creditNote: ['NOTA DI CREDITO', 'Nota di credito'],
    number: ['Fattura n.', 'Numero fattura', 'N. fattura'],
    creditNumber: ['Nota di credito n.', 'Numero nota di credito'],
    date: ['Data fattura', 'Data', 'Data documento'],
    due: ['Scadenza', 'Data scadenza'],
    seller: ['Fornitore', 'Cedente'],
    buyer: ['Cliente', 'Cessionario', 'Destinatario'],
    net: ['Imponibile', 'Totale imponibile', 'Totale netto'],
    vat: ['IVA', 'Totale IVA', 'Imposta'],
    gross: ['Totale', 'Totale fattura', 'Totale documento'],
    vatId: ['Partita IVA:', 'P.IVA:', 'P. IVA'],
    rates: [22, 10, 4],
    country: 'IT',
    legalForms: ['S.r.l.', 'S.p.A.', 'S.n.c.'],
    streets: ['Via Roma 12', 'Corso Venezia 8', 'Piazza Duomo 3'],
    cities: ['20121 Milano', '00184 Roma', '10121 Torino'],
    items: ['Consulenza', 'Manutenzione', 'Materiale di consumo', 'Installazione'],
    format: ['.', ',', '/'],
    delivery: ['Data consegna', 'Data ordine'],
    references: ['Codice cliente', 'Numero ordine'],
    months: [
      'gennaio',
      'febbraio',
      'marzo',
      'aprile',
      'maggio',
      'giugno',
      'luglio',
      'agosto',
      'settembre',
      'ottobre',
      'novembre',
      'dicembre',
    ],
  },
  es: {
    invoice: ['FACTURA', 'Factura'],
    creditNote: ['NOTA DE CRÉDITO', 'FACTURA DE ABONO'],
    number: ['Factura n.º', 'Número de factura', 'Nº factura'],
    creditNumber: ['Nota de crédito n.º', 'Factura de abono n.º'],
    date: ['Fecha de factura', 'Fecha', 'Fecha de emisión'],
    due: ['Vencimiento', 'Fecha de vencimiento'],
    seller: ['Proveedor', 'Emisor'],
    buyer: ['Cliente', 'Facturar a'],
    net: ['Base imponible', 'Subtotal', 'Total sin IVA'],
    vat: ['IVA', 'Cuota IVA', 'Total IVA'],
    gross: ['Total', 'Total factura', 'Importe total'],
    vatId: ['NIF-IVA:', 'CIF:', 'NIF:'],
    rates: [21, 10, 4],
    country: 'ES',
    legalForms: ['S.L.', 'S.A.', 'S.L.U.'],
    streets: ['Calle Mayor 12', 'Avenida de América 8', 'Paseo del Prado 3'],
    cities: ['28013 Madrid', '08001 Barcelona', '46001 Valencia'],
    items: ['Consultoría', 'Mantenimiento', 'Material de oficina', 'Instalación'],
    format: ['.', ',', '/'],
    delivery: ['Fecha de entrega', 'Fecha de pedido'],
    references: ['Nº cliente', 'Nº de pedido'],
    months: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  },
};

const NAMES = [
  'Nordlicht',
  'Atelier Berg',
  'Van Dijk',
  'Rossi Impianti',
  'García Servicios',
  'Blue Harbour',
  'Lumière',
  'Kessler Technik',
  'Orion Data',
  'Verde Logistica',
];

/** A VAT id of the country that passes its check digits (jsvat), found by trying random digits. */
function validVatId(country: string, next: () => number): string {
  const shape: Record<string, () => string> = {
    FR: () => digits(11),
    DE: () => digits(9),
    GB: () => digits(9),
    NL: () => `${digits(9)}B${digits(2)}`,
    IT: () => digits(11),
    ES: () => `B${digits(8)}`,
  };
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  for (;;) {
    const id = `${country}${shape[country]?.() ?? digits(9)}`;
    if (checkVAT(id, countries).isValid) return id;
  }
}

/** Generates the invoice of a seed; `language` forces one (else drawn). */
export async function generateInvoice(seed: number, language?: GeneratedLanguage): Promise<GeneratedInvoice> {
  const next = random(seed);
  const pick = <T>(options: readonly T[]): T => options[Math.floor(next() * options.length)] as T;
  const chance = (p: number) => next() < p;
  const lang = language ?? pick(Object.keys(VOCABULARIES) as GeneratedLanguage[]);
  const v = VOCABULARIES[lang];
  const [thousands, decimalMark, dateSeparator] = v.format;

  const creditNote = chance(0.2);
  const signed = creditNote && chance(0.5);
  const currency = lang === 'en' ? pick(['GBP', 'GBP', 'USD', 'EUR']) : lang === 'de' && chance(0.15) ? 'CHF' : 'EUR';
  const symbol = { EUR: '€', GBP: '£', USD: '$', CHF: 'CHF' }[currency] ?? currency;
  const symbolFirst = lang === 'en' || ((lang === 'nl' || lang === 'it') && chance(0.5));
  const money = (cents: number) => {
    const abs = Math.abs(cents);
    const integer = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, thousands);
    const number = `${integer}${decimalMark}${String(abs % 100).padStart(2, '0')}`;
    const sign = cents < 0 ? '-' : '';
    return symbolFirst ? `${sign}${symbol}${symbol.length > 1 ? ' ' : ''}${number}` : `${sign}${number} ${symbol}`;
  };
  const year = 2024 + Math.floor(next() * 3);
  const month = 1 + Math.floor(next() * 12);
  const day = 1 + Math.floor(next() * 28);
  const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const inWords = chance(0.3);
  const printedDate = (y: number, m: number, d: number) =>
    inWords
      ? lang === 'en'
        ? `${d} ${v.months[m - 1]} ${y}`
        : `${d}${lang === 'de' ? '.' : ''} ${lang === 'es' ? 'de ' : ''}${v.months[m - 1]}${lang === 'es' ? ' de' : ''} ${y}`
      : [String(d).padStart(2, '0'), String(m).padStart(2, '0'), String(y)].join(dateSeparator);
  const dueMonth = month === 12 ? 1 : month + 1;
  const dueYear = month === 12 ? year + 1 : year;

  const party = () => ({
    name: `${pick(NAMES)} ${pick(v.legalForms)}`,
    street: pick(v.streets),
    city: pick(v.cities),
    vatId: validVatId(v.country, next),
  });
  const seller = party();
  let buyer = party();
  while (buyer.name === seller.name) buyer = party();
  const number = `${pick(['', 'INV-', 'F', 'RE-', 'A'])}${year}${pick(['-', '/', ''])}${String(Math.floor(next() * 9000) + 100)}`;
  const rates = chance(0.35) ? v.rates.slice(0, 2) : [pick(v.rates)];
  const lines = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => ({
    name: pick(v.items),
    quantity: 1 + Math.floor(next() * 9),
    price: 500 + Math.floor(next() * 50_000),
    rate: rates[i % rates.length] ?? 20,
  }));
  const byRate = rates.map((rate) => {
    const base = lines.filter((l) => l.rate === rate).reduce((s, l) => s + l.quantity * l.price, 0);
    return { rate, base, tax: Math.round((base * rate) / 100) };
  });
  const net = byRate.reduce((s, r) => s + r.base, 0);
  const vat = byRate.reduce((s, r) => s + r.tax, 0);
  const sign = signed ? -1 : 1;

  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  const fonts = pick([
    [StandardFonts.Helvetica, StandardFonts.HelveticaBold],
    [StandardFonts.TimesRoman, StandardFonts.TimesRomanBold],
    [StandardFonts.Courier, StandardFonts.CourierBold],
  ] as const);
  const regular = await pdf.embedFont(fonts[0]);
  const bold = await pdf.embedFont(fonts[1]);
  const text = (s: string, x: number, y: number, size = 9, font: PDFFont = regular) => page.drawText(s, { x, y: 842 - y, size, font });
  const right = (s: string, x1: number, y: number, size = 9, font: PDFFont = regular) =>
    text(s, x1 - font.widthOfTextAtSize(s, size), y, size, font);

  // Parties: the seller's block left or right at the top, the buyer's on the other side lower.
  // A letter: the buyer's address in the envelope window at the left, under the sender's line in
  // small print, with no heading; the seller's letterhead at the right.
  const letter = chance(0.25);
  const sellerLeft = !letter && chance(0.6);
  const [sellerX, buyerX] = sellerLeft ? [50, 330] : [330, 50];
  const idsInFooter = chance(0.4);
  const headed = !letter && chance(0.5);
  const sellerLines = [
    ...(headed ? [pick(v.seller)] : []),
    seller.name,
    seller.street,
    seller.city,
    ...(idsInFooter ? [] : [`${pick(v.vatId)} ${seller.vatId}`]),
  ];
  sellerLines.forEach((s, i) => text(s, sellerX, 50 + 12 * i, i === (headed ? 1 : 0) ? 11 : 9, i === 0 ? bold : regular));
  if (letter) text([seller.name, seller.street, seller.city].join(' · '), buyerX, 138, 6.5);
  const buyerLines = [
    ...(letter ? [] : [pick(v.buyer)]),
    buyer.name,
    buyer.street,
    buyer.city,
    ...(chance(0.5) ? [`${pick(v.vatId)} ${buyer.vatId}`] : []),
  ];
  buyerLines.forEach((s, i) => text(s, buyerX, 150 + 12 * i, 9, i === 0 && !letter ? bold : regular));

  // Title and header fields: labels beside their values, or a row of labels over a row of values.
  const title = pick(creditNote ? v.creditNote : v.invoice);
  const titleX = sellerLeft ? 545 - bold.widthOfTextAtSize(title, 18) : 50;
  text(title, titleX, 60, 18, bold);
  const header: Array<[string, string]> = [
    [pick(creditNote ? v.creditNumber : v.number), number],
    [pick(v.date), printedDate(year, month, day)],
    [pick(v.due), printedDate(dueYear, dueMonth, day)],
  ];
  // A delivery or order date and a customer or order number, before or after the invoice's own.
  if (chance(0.5))
    header.splice(Math.floor(next() * 3), 0, [pick(v.delivery), printedDate(year, month, Math.max(1, day - 1 - Math.floor(next() * 5)))]);
  if (chance(0.5)) header.splice(Math.floor(next() * 3), 0, [pick(v.references), String(10_000 + Math.floor(next() * 90_000))]);
  const headerInRow = chance(0.4) && header.length <= 4;
  const headerX = sellerLeft ? 50 : 330;
  header.forEach(([label, value], i) => {
    if (headerInRow) {
      text(label, 50 + 125 * i, 240, 9, bold);
      text(value, 50 + 125 * i, 254);
    } else {
      // Beside the buyer's block, in the other column.
      const printed = `${label}${chance(0.7) ? ':' : ''}`;
      text(printed, headerX, 150 + 14 * i);
      text(value, Math.max(headerX + 110, headerX + regular.widthOfTextAtSize(printed, 9) + 12), 150 + 14 * i);
    }
  });

  // Lines.
  let y = 300;
  lines.forEach((line) => {
    y += 16;
    text(line.name, 50, y);
    right(String(line.quantity), 330, y);
    right(money(line.price), 430, y);
    right(money(sign * line.quantity * line.price), 545, y);
  });

  // Totals: net, one VAT line per rate, gross.
  y += 36;
  const totals: Array<[string, number, boolean]> = [
    [pick(v.net), sign * net, false],
    ...byRate.map((r): [string, number, boolean] => [`${pick(v.vat)} ${String(r.rate).replace('.', decimalMark)} %`, sign * r.tax, false]),
    [pick(v.gross), sign * (net + vat), true],
  ];
  for (const [label, value, strong] of totals) {
    text(label, 330, y, 9, strong ? bold : regular);
    right(money(value), 545, y, 9, strong ? bold : regular);
    y += 15;
  }
  if (idsInFooter) text([seller.name, seller.street, seller.city, `${pick(v.vatId)} ${seller.vatId}`].join(' · '), 50, 800, 7);

  const decimal = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return {
    seed,
    language: lang,
    layout: `${letter ? 'letter, ' : ''}${header.length} header fields${inWords ? ', dates in words' : ''}, seller ${sellerLeft ? 'left' : 'right'}${headed ? ' headed' : ''}, ids ${idsInFooter ? 'in footer' : 'in block'}, header ${headerInRow ? 'in a row' : 'beside'}, ${rates.length} rate(s), ${currency}${creditNote ? `, credit note${signed ? ' with minus signs' : ''}` : ''}`,
    pdf: await pdf.save(),
    labels: {
      'BT-1': number,
      'BT-2': iso(year, month, day),
      'BT-3': creditNote ? '381' : '380',
      'BT-5': currency,
      'BT-27': seller.name,
      'BT-31': seller.vatId,
      'BT-109': decimal(net),
      'BT-110': decimal(vat),
      'BT-112': decimal(net + vat),
    },
  };
}
