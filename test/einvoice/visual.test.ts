import { describe, expect, it } from 'vitest';
import { extractInvoice, normalisedInvoiceSchema, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { openPdf } from '../../src/einvoice/pdf/document.ts';
import { invoiceFromWords } from '../../src/einvoice/visual/index.ts';
import { findAmounts, findDates, findVatIds, monthFirstIn } from '../../src/einvoice/visual/parse.ts';
import { decimal, printInvoice, SAMPLES, totalsOf, type Language, type Layout, type PrintedInvoice } from './support/printed.ts';
import { sampleInvoice } from './support/sample.ts';
import { writtenPage, type WrittenLine } from './support/words.ts';
import { writeFacturX } from './support/writer.ts';

describe('reading printed numbers and dates', () => {
  it.each([
    ['1 234,56 €', 123456],
    ['1.234,56 EUR', 123456],
    ['€1,234.56', 123456],
    ['12 345 678,90', 1234567890],
    ['4,90', 490],
    ['-0,00', 0],
    ['100,00-', -10000],
    ['-€483.10', -48310],
    ['- 1.234,56 EUR', -123456],
    ["1'234.50 CHF", 123450],
  ])('reads %s as %i cents', (text, cents) => {
    expect(findAmounts(text).map((a) => a.value)).toEqual([cents]);
  });

  it('does not read rates, years or identifiers as amounts', () => {
    expect(findAmounts('TVA 20,00 % ; 2026 ; FR 11 123 456 782 ; 19%')).toEqual([]);
  });

  it.each([
    ['13 novembre 2017', '2017-11-13'],
    ['1er août 2026', '2026-08-01'],
    ['05.06.2018', '2018-06-05'],
    ['5. März 2026', '2026-03-05'],
    ['November 13, 2017', '2017-11-13'],
    ['14 de junio de 2026', '2026-06-14'],
    ['3 settembre 2025', '2025-09-03'],
    ['1 maart 2024', '2024-03-01'],
    ['27 septiembre 2025', '2025-09-27'],
    ['13/11/2017', '2017-11-13'],
    ['2026-01-15', '2026-01-15'],
    ['31/02/2026', undefined],
  ])('reads %s as %s', (text, iso) => {
    expect(findDates(text)[0]?.value).toBe(iso);
  });

  it('reads slashed dates month first only on documents that write them so', () => {
    expect(monthFirstIn('Invoice date 11/03/2017 … paid 11/17/2017')).toBe(true);
    expect(monthFirstIn('Date 11/03/2017 … 17/11/2017')).toBe(false);
    expect(findDates('11/03/2017', true)[0]?.value).toBe('2017-11-03');
  });

  it('keeps French VAT ids whose key matches their SIREN, and German ones of the right length', () => {
    expect(findVatIds('N° TVA : FR 44 732 829 320').map((v) => v.value)).toEqual(['FR44732829320']);
    expect(findVatIds('TVA FR45732829320')).toEqual([]);
    expect(findVatIds('USt-IdNr.: DE 129 273 398 Steuernummer').map((v) => v.value)).toEqual(['DE129273398']);
    expect(findVatIds('DE 80333 München')).toEqual([]);
  });

  it('says which VAT ids pass their national check digits, and keeps the others of the right shape', () => {
    const read = (text: string) => findVatIds(text).map((v) => [v.value, v.checked]);
    expect(read('USt-IdNr. DE129273398, DE123456789')).toEqual([
      ['DE129273398', true],
      ['DE123456789', false],
    ]);
    expect(read('UID: ATU13585627 · BTW BE 0123.456.749 · NL123456789B01')).toEqual([
      ['ATU13585627', true],
      ['BE0123456749', true],
      ['NL123456789B01', false],
    ]);
    expect(read('Partita IVA IT 12345678901 · CHE-123.456.788')).toEqual([
      ['IT12345678901', false],
      ['CHE123456788', true],
    ]);
  });
});

const KEY_TERMS = ['BT-1', 'BT-2', 'BT-5', 'BT-27', 'BT-31', 'BT-109', 'BT-110', 'BT-112'] as const;

function expected(printed: PrintedInvoice): Record<(typeof KEY_TERMS)[number] | 'BT-9', string | undefined> {
  const { net, vat, gross } = totalsOf(printed);
  return {
    'BT-1': printed.number,
    'BT-2': printed.issueDate,
    'BT-5': 'EUR',
    'BT-9': printed.dueDate,
    'BT-27': printed.seller.name,
    'BT-31': printed.seller.vatId,
    'BT-109': decimal(net),
    'BT-110': decimal(vat),
    'BT-112': decimal(gross),
  };
}

/** The field finder on a page of words written out by hand. */
const read = (lines: readonly WrittenLine[]) => invoiceFromWords([writtenPage(lines)], 'pdf-text', { container: 'pdf', pages: 1 });

const reviewed = (invoice: NormalisedInvoice) => invoice.validation.find((f) => f.rule === 'FACTEUR-REVIEW')?.message ?? '';

describe('the text-layer path on printed invoices', () => {
  const cases: Array<[Language, Layout]> = (['fr', 'en', 'de'] as const).flatMap((language) =>
    (['beside', 'columns', 'letterhead', 'blocks'] as const).map((layout): [Language, Layout] => [language, layout]),
  );

  it.each(cases)('reads the key terms of a %s invoice laid out %s', async (language, layout) => {
    const printed: PrintedInvoice = { ...SAMPLES[language], layout };
    const invoice = await extractInvoice(await printInvoice(printed));
    expect(invoice.format).toBe('pdf-text');
    expect(invoice.source).toMatchObject({ container: 'pdf', pages: 1 });
    const want = expected(printed);
    for (const term of [...KEY_TERMS, 'BT-9'] as const) {
      expect({ term, value: invoice.fields[term] }).toEqual({ term, value: want[term] });
    }
    // Totals that add up are trusted; whatever is less sure is flagged by name, never silently kept.
    for (const term of ['BT-109', 'BT-110', 'BT-112'] as const) expect(invoice.confidence[term]).toBeGreaterThanOrEqual(0.9);
    for (const [term, confidence] of Object.entries(invoice.confidence)) {
      if (confidence < 0.9) expect(reviewed(invoice)).toContain(term);
    }
    // The line table adds up to the net total, so its rows are reported.
    expect(invoice.lines.map((l) => [l['BT-153'], l['BT-129'], l['BT-131']])).toEqual(
      printed.lines.map((l) => [l.name, String(l.quantity), decimal(l.quantity * l.unitPriceCents)]),
    );
    expect(() => normalisedInvoiceSchema.parse(invoice)).not.toThrow();
  });

  it('reads the IBAN and the SIREN when printed', async () => {
    const invoice = await extractInvoice(await printInvoice({ ...SAMPLES.fr, layout: 'beside' }));
    expect(invoice.fields['BT-84']).toBe('FR7630006000011234567890189');
    expect(invoice.fields['BT-30']).toBe('732829320');
    expect(invoice.fields['BT-48']).toBe('FR83404833048');
  });

  it('reads the page of a Factur-X PDF when told to ignore its XML, and the XML is the answer key', async () => {
    const sample = sampleInvoice();
    const pdf = await writeFacturX(sample);
    const fromXml = await extractInvoice(pdf);
    const fromPage = await extractInvoice(pdf, { ignoreEmbeddedXml: true });
    expect(fromXml.format).toBe('facturx');
    expect(fromPage.format).toBe('pdf-text');
    for (const term of ['BT-1', 'BT-2', 'BT-112'] as const) expect(fromPage.fields[term]).toBe(fromXml.fields[term]);
  });

  it('reads a letter-spaced name without the spaces pdfjs writes at each kerning push, and keeps its word breaks', async () => {
    const printed: PrintedInvoice = { ...SAMPLES.de, layout: 'beside', trackedSellerName: true };
    const bytes = await printInvoice(printed);
    const pdf = await openPdf(bytes, { maxPdfPages: 1 });
    const raw = (await pdf.pageTexts(1).next()).value;
    await pdf.close();
    // The cause, as pdfjs's text layer has it: a space after every letter pushed 0.11 em.
    expect(raw).toContain('M ü l l e r');
    const invoice = await extractInvoice(bytes);
    expect(invoice.fields['BT-27']).toBe(printed.seller.name);
  });

  it("takes the first line under the seller's heading for its name, not the person named below it", async () => {
    const printed: PrintedInvoice = { ...SAMPLES.fr, layout: 'blocks', seller: { ...SAMPLES.fr.seller, name: 'Kiné Martin' } };
    const invoice = await extractInvoice(await printInvoice(printed));
    expect(invoice.fields['BT-27']).toBe('Kiné Martin');
    // Read without a label: flagged for review.
    expect(invoice.confidence['BT-27']).toBeLessThan(0.9);
  });

  it('reads the totals beside a line of small print running up the margin', async () => {
    const printed: PrintedInvoice = { ...SAMPLES.de, layout: 'beside', marginNote: 'Musterrechnung erstellt mit Facteur, Copyright 2026' };
    const invoice = await extractInvoice(await printInvoice(printed));
    const want = expected(printed);
    for (const term of ['BT-109', 'BT-110', 'BT-112'] as const)
      expect({ term, value: invoice.fields[term] }).toEqual({ term, value: want[term] });
  });

  it('does not invent totals that are not printed', async () => {
    const printed: PrintedInvoice = { ...SAMPLES.de, layout: 'beside', lines: [] };
    const invoice = await extractInvoice(await printInvoice(printed));
    expect(invoice.fields['BT-1']).toBe(printed.number);
    // The empty invoice prints 0,00 everywhere: the finder may read zeros, but nothing else.
    for (const term of ['BT-109', 'BT-110', 'BT-112'] as const) expect([undefined, '0.00']).toContain(invoice.fields[term]);
  });
});

describe('credit notes and corrected invoices', () => {
  const kinds = (['fr', 'en', 'de'] as const).flatMap((language) =>
    (['beside', 'columns'] as const).map((layout): [Language, Layout] => [language, layout]),
  );

  it.each(kinds)(
    'reads a %s credit note laid out %s, printed with minus signs, as type 381 with positive totals',
    async (language, layout) => {
      const printed: PrintedInvoice = { ...SAMPLES[language], layout, documentType: 'credit-note', signed: true, refersTo: 'A-2025-0999' };
      const invoice = await extractInvoice(await printInvoice(printed));
      const want = expected(printed);
      expect(invoice.fields['BT-3']).toBe('381');
      // "Gutschrift" also heads self-billed invoices: only an unambiguous title is sure.
      expect((invoice.confidence['BT-3'] ?? 0) >= 0.9).toBe(language !== 'de');
      // Its own number, not the one of the invoice it credits.
      for (const term of ['BT-1', 'BT-2', 'BT-109', 'BT-110', 'BT-112'] as const)
        expect({ term, value: invoice.fields[term] }).toEqual({ term, value: want[term] });
    },
  );

  it.each(['fr', 'en', 'de'] as const)('reads a %s corrected invoice as type 384, its totals as printed', async (language) => {
    const printed: PrintedInvoice = {
      ...SAMPLES[language],
      layout: 'beside',
      documentType: 'corrective',
      signed: true,
      refersTo: 'A-2025-0999',
    };
    const invoice = await extractInvoice(await printInvoice(printed));
    const { net, vat, gross } = totalsOf(printed);
    expect(invoice.fields['BT-3']).toBe('384');
    expect(invoice.fields['BT-1']).toBe(printed.number);
    expect([invoice.fields['BT-109'], invoice.fields['BT-110'], invoice.fields['BT-112']]).toEqual([
      decimal(-net),
      decimal(-vat),
      decimal(-gross),
    ]);
  });

  it('takes the title for the type, not a sentence that starts with a credit', () => {
    const invoice = read([
      [
        50,
        [
          [50, 'Müller Haustechnik GmbH'],
          [400, 'Rechnung Nr. RE-77'],
        ],
      ],
      [300, [[50, 'Gutschrift erfolgt nach Eingang Ihrer Zahlung auf unser Konto']]],
    ]);
    expect(invoice.fields['BT-3']).toBe('380');
    expect(invoice.fields['BT-1']).toBe('RE-77');
  });

  it("flags a German 'Gutschrift' for review: it also heads self-billed invoices", () => {
    const page = writtenPage([
      [
        50,
        [
          [50, 'Müller Haustechnik GmbH'],
          [400, 'Gutschrift'],
        ],
      ],
      [80, [[400, 'Nr. GS-12']]],
      [300, [[50, 'Beratung']]],
    ]);
    const title = { ...page, words: page.words.map((w) => (w.text === 'Gutschrift' ? { ...w, y1: w.y0 + 18 } : w)) };
    const invoice = invoiceFromWords([title], 'pdf-text', { container: 'pdf', pages: 1 });
    expect([invoice.fields['BT-3'], (invoice.confidence['BT-3'] ?? 1) < 0.9]).toEqual(['381', true]);
  });

  it("reads a credit note's own number, not the one of the invoice it refers to", () => {
    const invoice = read([
      [
        50,
        [
          [50, 'Müller Haustechnik GmbH'],
          [400, 'Gutschrift Nr. GS-12'],
        ],
      ],
      [70, [[400, 'zur Rechnung Nr. RE-77']]],
      [90, [[50, 'Avoir sur facture n° F-2026-3']]],
    ]);
    expect(invoice.fields['BT-3']).toBe('381');
    expect(invoice.fields['BT-1']).toBe('GS-12');
  });
});

describe('the currency', () => {
  it.each([
    ['en', 'USD', 'USD'],
    ['en', 'GBP', 'GBP'],
    ['en', 'INR', 'INR'],
    ['de', 'CHF', 'CHF'],
    ['fr', 'USD', 'USD'],
    ['de', 'SEK', undefined],
  ] as const)('reads a %s invoice in %s as %s', async (language, currency, code) => {
    const printed: PrintedInvoice = { ...SAMPLES[language], layout: 'beside', currency };
    const invoice = await extractInvoice(await printInvoice(printed));
    // Crowns are printed "kr" by several countries: no currency rather than a wrong one.
    expect(invoice.fields['BT-5']).toBe(code);
    // A bare dollar sign could be another country's dollar: flagged for review.
    if (code === 'USD') expect(invoice.confidence['BT-5']).toBeLessThan(0.9);
    expect(invoice.fields['BT-112']).toBe(expected(printed)['BT-112']);
  });

  it('takes the currency printed beside the amounts over a word elsewhere on the page', () => {
    const invoice = read([
      [
        50,
        [
          [50, 'Northwind Supplies Ltd'],
          [400, 'Invoice No. INV-1'],
        ],
      ],
      [
        300,
        [
          [330, 'Subtotal'],
          [480, 'US$1,000.00'],
        ],
      ],
      [
        316,
        [
          [330, 'VAT 20%'],
          [480, 'US$200.00'],
        ],
      ],
      [
        332,
        [
          [330, 'Total'],
          [480, 'US$1,200.00'],
        ],
      ],
      [800, [[50, 'Paid to Euro Exchange Bank, Dublin']]],
    ]);
    expect([invoice.fields['BT-5'], invoice.confidence['BT-5']]).toEqual(['USD', 0.85]);
  });
});

describe('dates, split totals, totals by arithmetic, parties by their blocks', () => {
  it("takes the date beside the invoice's number for its issue date, not a delivery date printed first", () => {
    const invoice = read([
      [
        50,
        [
          [50, 'Müller Haustechnik GmbH'],
          [400, 'Lieferdatum: 01.02.2026'],
        ],
      ],
      [
        70,
        [
          [400, 'Rechnung Nr. RE-77'],
          [520, '05.02.2026'],
        ],
      ],
      [90, [[400, 'Zahlbar bis 05.03.2026']]],
    ]);
    expect([invoice.fields['BT-2'], invoice.fields['BT-9']]).toEqual(['2026-02-05', '2026-03-05']);
    expect(invoice.confidence['BT-2']).toBeLessThan(0.9);
  });

  it.each([
    ['Fakturanummer', 'Fakturadatum', '2026-03-05'],
    ['Numer faktury', 'Data wystawienia', '2026-03-05'],
    ['Fatura n.º', 'Data de emissão', '2026-03-05'],
  ])("reads the number after '%s' and the date after '%s'", (numberLabel, dateLabel, iso) => {
    const invoice = read([
      [
        50,
        [
          [50, 'Nordlicht AB'],
          [330, numberLabel],
          [450, '2026-1187'],
        ],
      ],
      [
        64,
        [
          [330, dateLabel],
          [450, '05.03.2026'],
        ],
      ],
    ]);
    expect([invoice.fields['BT-1'], invoice.fields['BT-2']]).toEqual(['2026-1187', iso]);
  });

  it('adds up a total printed as rows of its parts: the net of the items and of the shipping, the VAT of each', () => {
    const invoice = read([
      [
        300,
        [
          [250, 'Artikel netto'],
          [520, '500,00 €'],
        ],
      ],
      [
        312,
        [
          [250, 'Fracht netto'],
          [520, '10,00 €'],
        ],
      ],
      [
        324,
        [
          [250, 'Artikel MwSt. 19,00% auf 500,00 €'],
          [520, '95,00 €'],
        ],
      ],
      [
        336,
        [
          [250, 'Fracht MwSt. 19,00% auf 10,00 €'],
          [520, '1,90 €'],
        ],
      ],
      [
        348,
        [
          [250, 'Endsumme'],
          [520, '606,90 €'],
        ],
      ],
    ]);
    expect([invoice.fields['BT-109'], invoice.fields['BT-110'], invoice.fields['BT-112']]).toEqual(['510.00', '96.90', '606.90']);
  });

  it("takes a sender line printed as cells (name, street, town) over the window for the seller's", () => {
    const invoice = read([
      [
        100,
        [
          [50, 'nordlicht.de'],
          [130, 'Hafenweg 22'],
          [210, '20457 Hamburg'],
          [400, 'Tel. 040 123456'],
        ],
      ],
      [
        110,
        [
          [50, 'Schneider Bau GmbH'],
          [400, 'Fax 040 123457'],
        ],
      ],
      [120, [[50, 'Lindenstraße 8']]],
      [130, [[50, '80331 München']]],
      [200, [[50, 'Rechnung RE-77']]],
    ]);
    expect(invoice.fields['BT-27']).toBe('nordlicht.de');
  });

  it('finds the totals of a page whose labels it does not know by their arithmetic, and flags them for review', () => {
    const invoice = read([
      [
        50,
        [
          [50, 'Kowalski Sp. z o.o.'],
          [400, 'Faktura VAT 7/2026'],
        ],
      ],
      [
        300,
        [
          [50, 'Usługa serwisowa'],
          [330, '2'],
          [400, '400,00 zł'],
          [480, '800,00 zł'],
        ],
      ],
      [
        316,
        [
          [50, 'Części zamienne'],
          [330, '1'],
          [400, '200,00 zł'],
          [480, '200,00 zł'],
        ],
      ],
      [
        350,
        [
          [330, 'Razem netto'],
          [480, '1 000,00 zł'],
        ],
      ],
      [
        366,
        [
          [330, 'Podatek 23%'],
          [480, '230,00 zł'],
        ],
      ],
      [
        382,
        [
          [330, 'Do zapłaty'],
          [480, '1 230,00 zł'],
        ],
      ],
    ]);
    expect([invoice.fields['BT-109'], invoice.fields['BT-110'], invoice.fields['BT-112'], invoice.fields['BT-5']]).toEqual([
      '1000.00',
      '230.00',
      '1230.00',
      'PLN',
    ]);
    for (const term of ['BT-109', 'BT-110', 'BT-112'] as const) expect(invoice.confidence[term]).toBeLessThan(0.9);
  });

  it("takes the block under a letter's sender line for the buyer's, and the sender for the seller", () => {
    const page = writtenPage([
      [40, [[330, 'Müller Haustechnik GmbH']]],
      [52, [[330, 'Lindenstraße 8, 80331 München']]],
      [150, [[50, 'Müller Haustechnik GmbH · Lindenstraße 8 · 80331 München']]],
      [160, [[50, 'Schneider Bau AG']]],
      [172, [[50, 'Hafenweg 22']]],
      [184, [[50, '20457 Hamburg']]],
      [196, [[50, 'USt-IdNr.: DE811907980']]],
      [250, [[330, 'Rechnung Nr. RE-77']]],
      [800, [[50, 'Müller Haustechnik GmbH · USt-IdNr. DE129273398']]],
    ]);
    // The sender line is small print.
    const small = { ...page, words: page.words.map((w) => (w.y0 === 150 ? { ...w, y1: 156 } : w)) };
    const invoice = invoiceFromWords([small], 'pdf-text', { container: 'pdf', pages: 1 });
    expect([invoice.fields['BT-27'], invoice.fields['BT-31'], invoice.fields['BT-48']]).toEqual([
      'Müller Haustechnik GmbH',
      'DE129273398',
      'DE811907980',
    ]);
  });

  it("does not take a letterhead's lines in small print, nor a row of the line table, for a sender line", () => {
    const page = writtenPage([
      [30, [[110, 'Atelier Dupont SARL - 12 rue des Lilas - 69003 Lyon']]],
      [40, [[110, 'TVA : FR44732829320 - SIRET : 73282932000014 - APE : 4778C']]],
      [90, [[30, 'Facture F-12']]],
      [140, [[330, 'Boulangerie Martin SAS']]],
      [152, [[330, '3 place du Marché']]],
      [164, [[330, '75011 Paris']]],
      [
        400,
        [
          [60, '1,00'],
          [120, 'Réparation (heures) : four'],
          [290, '20%'],
          [345, '160,00 €'],
          [420, '160,00 €'],
        ],
      ],
      [412, [[120, 'sur site']]],
    ]);
    const small = { ...page, words: page.words.map((w) => (w.y0 < 50 ? { ...w, y1: w.y0 + 7 } : w)) };
    const invoice = invoiceFromWords([small], 'pdf-text', { container: 'pdf', pages: 1 });
    expect([invoice.fields['BT-27'], invoice.fields['BT-31'], invoice.fields['BT-48']]).toEqual([
      'Atelier Dupont SARL',
      'FR44732829320',
      undefined,
    ]);
  });

  it("takes a VAT id in the footer for the seller's even after a sentence addressed to the buyer", () => {
    const invoice = read([
      [
        50,
        [
          [50, 'Müller Haustechnik GmbH'],
          [400, 'Rechnung Nr. RE-77'],
        ],
      ],
      [120, [[330, 'Rechnungsempfänger']]],
      [135, [[330, 'Schneider Bau AG']]],
      [150, [[330, 'USt-IdNr.: DE811907980']]],
      [800, [[50, 'Bitte geben Sie bei Zahlung Ihre Kundennummer an · Sitz München · USt-IdNr. DE129273398']]],
    ]);
    expect([invoice.fields['BT-31'], invoice.fields['BT-48']]).toEqual(['DE129273398', 'DE811907980']);
  });
});

describe('the field finder on positioned words', () => {
  it("reads a total whose label carries a remark in brackets, even one that names the VAT ('Netto (excl. USt.)')", () => {
    const invoice = read([
      [
        100,
        [
          [50, 'Rechnungssumme Netto (excl. USt.)'],
          [400, '473,00'],
        ],
      ],
      [
        115,
        [
          [50, 'USt. 19 %'],
          [400, '89,87'],
        ],
      ],
      [
        130,
        [
          [50, 'Rechnungssumme Brutto (inkl. USt.)'],
          [400, '562,87'],
        ],
      ],
    ]);
    expect([invoice.fields['BT-109'], invoice.fields['BT-110'], invoice.fields['BT-112']]).toEqual(['473.00', '89.87', '562.87']);
  });

  it('takes the name over the first address of the page for the sender, and flags it for review', () => {
    const invoice = read([
      [
        20,
        [
          [50, 'Die Vordefinierte Firma'],
          [300, 'Tel: +49 30 41092-0'],
          [480, 'Seite 1 von 1'],
        ],
      ],
      [
        32,
        [
          [50, 'Waldstrasse 86-90'],
          [300, 'Fax: +49 30 41092-111'],
        ],
      ],
      [44, [[50, '13403 Berlin']]],
      [
        120,
        [
          [50, 'Elektromarkt Bamby'],
          [300, 'Belegnummer'],
          [400, '90005178'],
        ],
      ],
      [
        132,
        [
          [50, 'Adlerstrasse 452'],
          [300, 'Belegdatum'],
          [400, '07.01.1997'],
        ],
      ],
      [144, [[50, 'D-07545 GERA']]],
    ]);
    expect(invoice.fields['BT-27']).toBe('Die Vordefinierte Firma');
    expect(invoice.confidence['BT-27']).toBeLessThan(0.9);
  });

  it("joins a name's first line across OCR noise beside it and a stray line between", () => {
    const invoice = read([
      [
        40,
        [
          [50, 'MVM Musterhafter'],
          [450, 'Fe =D'],
        ],
      ],
      [46, [[480, 'dei']]],
      [52, [[50, 'Versicherungsverein Musterstadt a.G.']]],
    ]);
    expect(invoice.fields['BT-27']).toBe('MVM Musterhafter Versicherungsverein Musterstadt a.G.');
  });

  it('joins a labelled name to its first line across the padding of a table row', () => {
    const invoice = read([
      [80, [[50, 'Verkäufer']]],
      [100, [[200, 'MVM Musterhafter']]],
      // 8 points below: rows of a table are padded, lines of a paragraph are not.
      [
        118,
        [
          [50, 'Name:'],
          [200, 'Versicherungsverein Musterstadt a.G.'],
        ],
      ],
    ]);
    expect(invoice.fields['BT-27']).toBe('MVM Musterhafter Versicherungsverein Musterstadt a.G.');
  });

  it("takes only the first cell under the seller's heading for its name, not another column's text beside it", () => {
    const invoice = read([
      [80, [[50, 'Vendeur']]],
      [
        95,
        [
          [50, 'LE FOURNISSEUR'],
          [300, 'Buyer contact name'],
        ],
      ],
      [110, [[50, "35 rue d'ici"]]],
      [125, [[50, '75018 PARIS']]],
    ]);
    expect(invoice.fields['BT-27']).toBe('LE FOURNISSEUR');
  });

  it("flags the seller's name for review when two labelled names claim it (the buyer's heading misread by OCR)", () => {
    const invoice = read([
      [80, [[50, 'Verkäufer']]],
      [
        95,
        [
          [50, 'Name:'],
          [200, 'LieferantGmbH'],
        ],
      ],
      [150, [[50, 'Kdufer/Leistungsempfänger']]],
      [
        165,
        [
          [50, 'Name:'],
          [200, 'Kunden AG Mitte'],
        ],
      ],
    ]);
    expect(invoice.confidence['BT-27']).toBeLessThan(0.9);
    expect(invoice.validation.find((f) => f.rule === 'FACTEUR-REVIEW')?.message).toContain('BT-27');
  });

  it('puts back the space OCR drops before a legal form', () => {
    const invoice = read([
      [100, [[50, 'Verkäufer']]],
      [
        115,
        [
          [50, 'Name:'],
          [200, 'ELEKTRON IndustrieserviceGmbH'],
        ],
      ],
    ]);
    expect(invoice.fields['BT-27']).toBe('ELEKTRON Industrieservice GmbH');
  });

  it.each<[string, WrittenLine[], string]>([
    [
      "a letter's date after its place",
      [
        [
          100,
          [
            [300, 'München, den'],
            [420, '01.11.2024'],
          ],
        ],
        [
          780,
          [
            [50, 'Datum: 30.10.2024'],
            [300, 'Zeit: 04:59:13'],
          ],
        ],
      ],
      '2024-11-01',
    ],
    [
      'an invoice issued at a date, above its delivery date',
      [
        [100, [[50, 'Invoice # RE-20201121/508 issued at 2020-11-21']]],
        [115, [[50, 'Date of delivery 2020-11-10']]],
      ],
      '2020-11-21',
    ],
  ])('reads the issue date from %s', (_, lines, date) => {
    expect(read(lines).fields['BT-2']).toBe(date);
  });

  it('does not read a row of the line table as a VAT breakdown row when its numbers happen to agree', () => {
    const invoice = read([
      [
        80,
        [
          [50, 'Pos'],
          [80, 'Bezeichnung'],
          [250, 'Menge'],
          [320, 'Preis'],
          [400, 'Betrag'],
          [470, 'USt. %'],
        ],
      ],
      [
        95,
        [
          [50, '1'],
          [80, 'Trennblätter A4'],
          [250, '20'],
          [320, '9,90'],
          [400, '198,00'],
          [470, '19'],
        ],
      ],
      // Position 2, 50 × 5,50 = 275,00, and 2 % of 275,00 is 5,50 too.
      [
        110,
        [
          [50, '2'],
          [80, 'Joghurt Banane'],
          [250, '50'],
          [320, '5,50'],
          [400, '275,00'],
          [470, '7'],
        ],
      ],
      [
        140,
        [
          [50, 'Summe netto'],
          [400, '473,00'],
        ],
      ],
      [
        155,
        [
          [50, 'USt. 7 %'],
          [320, '275,00'],
          [400, '19,25'],
        ],
      ],
      [
        170,
        [
          [50, 'USt. 19 %'],
          [320, '198,00'],
          [400, '37,62'],
        ],
      ],
      [
        185,
        [
          [50, 'Summe brutto'],
          [400, '529,87'],
        ],
      ],
    ]);
    expect(invoice.vatBreakdown.map((r) => r['BT-119'])).toEqual(['7.00', '19.00']);
    expect([invoice.fields['BT-109'], invoice.fields['BT-110'], invoice.fields['BT-112']]).toEqual(['473.00', '56.87', '529.87']);
  });
});
