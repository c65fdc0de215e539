import { describe, expect, it } from 'vitest';
import { extractInvoice } from '../../src/einvoice/index.ts';
import { amountReadings, checkVisibleText } from '../../src/einvoice/validate/visible.ts';
import { sampleInvoice } from './support/sample.ts';
import { writeFacturX } from './support/writer.ts';

const warnings = (text: string) => checkVisibleText(text, { 'BT-1': 'F2026-0042', 'BT-2': '2026-09-15', 'BT-112': '1455.30' });

describe('page versus XML', () => {
  it('reads amounts in French, German and English notation', () => {
    for (const printed of ['1 455,30', '1.455,30', '1,455.30', '1455.30', "1'455.30"]) {
      expect(amountReadings(printed).map((d) => d.toFixed(2))).toContain('1455.30');
    }
    expect(amountReadings('1.455').map((d) => d.toFixed())).toEqual(['1.455', '1455']);
  });

  it.each([
    'Facture F2026-0042 du 15/09/2026 — Total TTC : 1 455,30 €',
    'Rechnung Nr. F2026-0042 vom 15.09.2026 Gesamtbetrag 1.455,30 EUR',
    'Invoice F2026-0042 Date: 09/15/2026 Total due $1,455.30',
    'Facture n° F 2026 - 0042, émise le 15 septembre 2026, montant 1455.30',
  ])('finds the number, date and total in %s', (text) => {
    expect(warnings(text)).toEqual([]);
  });

  it('warns, naming what is missing, when the page shows another invoice', () => {
    const [finding] = warnings('Sample PDF. Lorem ipsum dolor sit amet, 12/01/2022, total 99,00 €');
    expect(finding?.rule).toBe('FACTEUR-PDF-XML');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toMatch(/F2026-0042.*2026-09-15.*1455\.30/);
  });

  it('says nothing when the PDF has no text layer to compare', () => {
    expect(warnings('   ')).toEqual([]);
  });

  it('checks a generated Factur-X: silent when the page matches, a warning when it does not', async () => {
    const matching = await extractInvoice(await writeFacturX(sampleInvoice()));
    expect(matching.validation.map((f) => f.rule)).not.toContain('FACTEUR-PDF-XML');
    const placeholder = await extractInvoice(await writeFacturX(sampleInvoice(), { visibleText: ['Sample PDF', 'Lorem ipsum'] }));
    expect(placeholder.validation.map((f) => f.rule)).toContain('FACTEUR-PDF-XML');
    expect(placeholder.fields['BT-1']).toBe('F2026-0042');
  });
});
