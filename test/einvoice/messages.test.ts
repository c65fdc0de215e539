// Every finding Facteur can emit has a sentence for people in French and in English. The rule ids
// are collected two ways: the rule tables the validators export, and the rule ids written in the
// validators' sources (so that a new `rule: 'FACTEUR-…'` without a sentence fails here).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractInvoice } from '../../src/einvoice/index.ts';
import { CODE_LIST_RULES } from '../../src/einvoice/validate/code-list-rules.ts';
import { OFFICIAL_RULES } from '../../src/einvoice/validate/official-rules.ts';
import { EN16931_RULES, validateEn16931 } from '../../src/einvoice/validate/en16931.ts';
import { findingMessage, hasMessage, MESSAGE_RULES, type MessageFormat } from '../../src/einvoice/validate/messages.ts';
import { sampleInvoice } from './support/sample.ts';
import { writeCii } from './support/writer.ts';

const GENERATED = new Set(['official-rules.ts', 'code-list-rules.ts', 'facturx-unused.ts', 'messages.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !GENERATED.has(entry.name) ? [path] : [];
  });
}

/** Rule ids written as literals where a finding is made. */
function idsInSources(): string[] {
  const ids = new Set<string>();
  for (const file of sources('src/einvoice')) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/rule: '([A-Z][A-Z0-9-]+)'|(?:error|warn)\('([A-Z][A-Z0-9-]+)'/g)) ids.add((match[1] ?? match[2])!);
  }
  return [...ids];
}

const EMITTED = [
  ...new Set([...EN16931_RULES, ...Object.values(CODE_LIST_RULES).flatMap((rules) => (rules ?? []).map(([id]) => id)), ...idsInSources()]),
].sort();

const format = (language: 'fr' | 'en'): MessageFormat => {
  const tag = language === 'fr' ? 'fr-FR' : 'en';
  return {
    language,
    money: (amount) => new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' }).format(Number(amount)),
    number: (value) => new Intl.NumberFormat(tag).format(Number(value)),
    date: (value) => value,
  };
};

const SAMPLE_VALUES = {
  actual: '233.47',
  expected: '233.46',
  term: 'BT-112',
  value: '-3.50',
  line: '3',
  index: '1',
  rate: '20',
  base: '218.48',
  category: 'S',
  code: 'PMT',
  element: 'TypeCode',
  level: 'MINIMUM',
  'BT-109': '218.48',
  'BT-110': '14.99',
};

describe('finding messages', () => {
  it('collects the rule ids the validators can emit', () => {
    expect(EMITTED.length).toBeGreaterThan(150);
    expect(EMITTED).toContain('FACTEUR-FR-SIRET');
    expect(EMITTED).toContain('BR-CL-04');
    expect(EMITTED).toContain('BR-AE-10');
  });

  it('has a French and an English sentence for every one of them, with or without its values', () => {
    const missing = EMITTED.filter((rule) => !hasMessage(rule));
    expect(missing).toEqual([]);
    for (const rule of EMITTED) {
      for (const values of [undefined, SAMPLE_VALUES]) {
        const fr = findingMessage({ rule, message: 'english line', values }, format('fr'));
        const en = findingMessage({ rule, message: 'english line', values }, format('en'));
        for (const sentence of [fr, en]) {
          expect(sentence, rule).not.toBe('english line');
          expect(sentence, rule).not.toMatch(/undefined|NaN|\{|\}/);
          expect(sentence.length, rule).toBeGreaterThan(15);
        }
        expect(fr, rule).not.toBe(en);
      }
    }
    expect(MESSAGE_RULES.length).toBeGreaterThanOrEqual(EMITTED.length);
  });

  it('has a sentence in both languages for every rule of the official artefacts too', () => {
    const official = [...new Set(Object.values(OFFICIAL_RULES).flatMap((artefact) => [...artefact.errors, ...artefact.warnings]))];
    expect(official.length).toBeGreaterThan(1_500);
    expect(official.filter((rule) => !hasMessage(rule))).toEqual([]);
    for (const rule of official) {
      const fr = findingMessage({ rule, message: 'english line' }, format('fr'));
      const en = findingMessage({ rule, message: 'english line' }, format('en'));
      expect(fr, rule).not.toBe(en);
      expect(fr, rule).not.toBe('english line');
    }
    // EXTENDED's variants read as the EN 16931 rule they vary; its own rules have their own sentence.
    expect(findingMessage({ rule: 'BR-FXEXT-S-08ini', message: '' }, format('fr'))).toBe(
      findingMessage({ rule: 'BR-S-08', message: '' }, format('fr')),
    );
    expect(findingMessage({ rule: 'BR-FXEXT-01', message: '' }, format('fr'))).not.toBe(
      findingMessage({ rule: 'BR-01', message: '' }, format('fr')),
    );
  });

  it('names the values involved, in the reader’s money format', async () => {
    const content = sampleInvoice();
    const invoice = await extractInvoice(new TextEncoder().encode(writeCii(content)));
    const broken = { ...invoice, fields: { ...invoice.fields, 'BT-112': String(Number(invoice.fields['BT-112']) + 10) } };
    const finding = validateEn16931(broken).find((f) => f.rule === 'BR-CO-15');
    expect(finding?.values).toMatchObject({ actual: broken.fields['BT-112'], 'BT-109': invoice.fields['BT-109'] });
    const fr = findingMessage(finding!, format('fr'));
    expect(fr).toMatch(/^Le total TTC \(.+€\) ne correspond pas au total HT \+ TVA \(.+€ \+ .+€\), soit .+€\.$/);
    expect(findingMessage(finding!, format('en'))).toMatch(/^The Invoice total amount with VAT \(€.+\) does not match/);
  });

  it('names VAT categories in words and tells SIREN from SIRET', () => {
    expect(findingMessage({ rule: 'BR-AE-02', message: '' }, format('fr'))).toContain('autoliquidation (AE)');
    expect(findingMessage({ rule: 'BR-IC-05', message: '', values: { rate: '5.5' } }, format('fr'))).toContain(
      'livraison intracommunautaire (K)',
    );
    expect(
      findingMessage({ rule: 'FACTEUR-FR-SIRET', message: '', values: { term: 'BT-47', value: '73282932000075' } }, format('fr')),
    ).toBe('Le SIRET (73282932000075) de client est invalide (clé de contrôle).');
  });
});
