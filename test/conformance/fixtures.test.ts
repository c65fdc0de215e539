// The official artefacts as an oracle on invoices the tests write themselves, so that the
// comparison never depends on the shared corpus alone: a consistent invoice in CII, UBL and as a
// Factur-X PDF, and versions of it broken in one place each, judged alike by both.
import { beforeAll, expect, it } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii, writeFacturX, writeUbl, type InvoiceContent } from '../einvoice/support/writer.ts';
import { applicableArtefact, conformanceCase, disagreements, judge, type ConformanceCase, type Judgement } from './support/agreement.ts';
import { CONFORMANCE_DIR } from './support/oracle.ts';
import { describeConformance } from './support/suite.ts';

const encode = (text: string) => new TextEncoder().encode(text);

/** The sample with one change, named for what it breaks. */
const BROKEN: Record<string, (c: InvoiceContent) => void> = {
  consistent: () => {},
  'no-invoice-number': (c) => delete c.fields['BT-1'],
  'wrong-line-total': (c) => void (c.fields['BT-106'] = '1260.01'),
  'wrong-vat-total': (c) => void (c.fields['BT-110'] = '235.31'),
  'wrong-amount-due': (c) => void (c.fields['BT-115'] = '1455.00'),
  'three-decimals': (c) => void (c.fields['BT-112'] = '1455.300'),
  // A MINIMUM invoice judged by its profile, which does not use the buyer's address written here.
  'minimum-profile': (c) => void (c.fields['BT-24'] = 'urn:factur-x.eu:1p0:minimum'),
};

const artefactOf = (file: string) =>
  file.endsWith('.ubl.xml') ? 'cen-ubl' : file.startsWith('minimum-') ? 'fx-minimum' : file.endsWith('.pdf') ? 'fx-en16931' : 'cen-cii';

/** Disagreements still expected here, each with its reason (deliberate, or backlog that may only shrink). */
const KNOWN: Record<string, string> = {
  // Facteur also applies the official XSD, which the Schematron artefacts do not: the writer writes
  // the EN 16931 structure, which the MINIMUM schema refuses, and every schema requires the invoice number.
  'minimum-profile.cii.xml fx-minimum extra XSD': 'deliberate: the MINIMUM XSD refuses what the profile does not carry',
  'minimum-profile.facturx.pdf fx-minimum extra XSD': 'deliberate: the MINIMUM XSD refuses what the profile does not carry',
  'minimum-profile.ubl.xml cen-ubl extra FACTEUR-PROFILE-SYNTAX':
    'deliberate: Factur-X MINIMUM exists only in CII; Facteur says so of a UBL file claiming it, CEN does not look at BT-24',
  'no-invoice-number.cii.xml cen-cii extra XSD': 'deliberate: the XSD requires the invoice number (BT-1)',
  'no-invoice-number.facturx.pdf fx-en16931 missed FX-SCH-A-000019':
    'backlog: the Factur-X structure rules (FX-SCH-A-…, "ram:ID must occur exactly 1 times") are not implemented; Facteur reports BR-02 as both do',
  'no-invoice-number.facturx.pdf fx-en16931 extra XSD': 'deliberate: the XSD requires the invoice number (BT-1)',
  'no-invoice-number.ubl.xml cen-ubl extra XSD': 'deliberate: the XSD requires the invoice number (BT-1)',
};

describeConformance('agreement with the official artefacts on generated invoices', { corpus: false }, () => {
  let judgements: Judgement[] = [];

  beforeAll(async () => {
    const cases: ConformanceCase[] = [];
    for (const [name, breakIt] of Object.entries(BROKEN)) {
      const content = sampleInvoice();
      breakIt(content);
      const files: Array<[string, Uint8Array]> = [
        [`${name}.cii.xml`, encode(writeCii(content))],
        [`${name}.ubl.xml`, encode(writeUbl(content))],
        [`${name}.facturx.pdf`, await writeFacturX(content)],
      ];
      for (const [file, bytes] of files) {
        const found = await conformanceCase(file, bytes);
        if (found) cases.push(found);
      }
    }
    judgements = await judge(CONFORMANCE_DIR, cases, (c) => [applicableArtefact(c) ?? []].flat());
  }, 300_000);

  it('judges every generated file by CEN (CII, UBL) or by the Factur-X profile BT-24 names (PDF, MINIMUM)', () => {
    const files = Object.keys(BROKEN)
      .sort()
      .flatMap((name) => [`${name}.cii.xml`, `${name}.facturx.pdf`, `${name}.ubl.xml`]);
    expect(judgements.map((j) => `${j.file} ${j.artefact}`)).toEqual(files.map((file) => `${file} ${artefactOf(file)}`));
  });

  it('gives the verdict and the error rule ids the artefacts give, but for the known disagreements', () => {
    expect(judgements.flatMap(disagreements)).toEqual(Object.keys(KNOWN));
  });

  it('rejects each broken invoice and accepts the consistent one, as the artefacts do', () => {
    const rejected = judgements.filter((j) => 'errors' in j.oracle && j.oracle.errors.length > 0).map((j) => j.file.split('.')[0]);
    expect(new Set(rejected)).toEqual(new Set(Object.keys(BROKEN).filter((n) => n !== 'consistent')));
  });
});
