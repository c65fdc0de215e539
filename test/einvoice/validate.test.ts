import { describe, expect, it } from 'vitest';
import { extractInvoice, type NormalisedInvoice } from '../../src/einvoice/index.ts';
import { validateEn16931 } from '../../src/einvoice/validate/en16931.ts';
import { gradeByProfile, officialArtefact } from '../../src/einvoice/validate/profile.ts';
import { frenchVatKey, ibanValid, sirenValid, siretValid, validateFrance } from '../../src/einvoice/validate/france.ts';
import { sampleInvoice } from './support/sample.ts';
import { writeCii, writeUbl, type InvoiceContent } from './support/writer.ts';

const rulesOf = (invoice: NormalisedInvoice) => invoice.validation.map((f) => f.rule);
const extractCii = (content: InvoiceContent) => extractInvoice(new TextEncoder().encode(writeCii(content)));

function withSource(content: InvoiceContent, profileLevel?: NormalisedInvoice['profileLevel']) {
  return { ...content, source: { container: 'xml' as const, syntax: 'cii' as const }, ...(profileLevel ? { profileLevel } : {}) };
}

describe('EN 16931 rules', () => {
  it('finds nothing wrong with a consistent invoice, in either syntax', async () => {
    expect(rulesOf(await extractCii(sampleInvoice()))).toEqual([]);
    expect(rulesOf(await extractInvoice(new TextEncoder().encode(writeUbl(sampleInvoice()))))).toEqual([]);
  });

  it('reports each missing mandatory term with its rule id', async () => {
    const sample = sampleInvoice();
    delete sample.fields['BT-1'];
    delete sample.fields['BT-5'];
    sample.lines = [];
    expect(rulesOf(await extractCii(sample))).toEqual(expect.arrayContaining(['BR-02', 'BR-05', 'BR-16']));
  });

  it('checks every line for its mandatory terms and a non-negative net price', () => {
    const sample = sampleInvoice();
    sample.lines[1] = { 'BT-126': '2', 'BT-129': '1', 'BT-131': '300.00', 'BT-146': '-300.00' };
    const rules = validateEn16931(withSource(sample)).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['BR-23', 'BR-25', 'BR-27']));
  });

  it('checks the totals with decimal arithmetic (no float drift on 0.1 + 0.2)', () => {
    const sample = sampleInvoice();
    sample.lines = [
      { ...sample.lines[0], 'BT-131': '0.10' },
      { ...sample.lines[1], 'BT-131': '0.20' },
    ];
    sample.fields['BT-106'] = '0.30';
    const rules = validateEn16931(withSource(sample)).map((f) => f.rule);
    expect(rules).not.toContain('BR-CO-10');
  });

  it.each([
    ['BT-106', '1260.01', 'BR-CO-10'],
    ['BT-107', '49.00', 'BR-CO-11'],
    ['BT-108', '11.00', 'BR-CO-12'],
    ['BT-109', '1221.00', 'BR-CO-13'],
    ['BT-110', '235.31', 'BR-CO-14'],
    ['BT-112', '1455.31', 'BR-CO-15'],
    ['BT-115', '1455.00', 'BR-CO-16'],
  ])('reports a wrong %s (%s) as %s', (id, value, rule) => {
    const sample = sampleInvoice();
    sample.fields[id as 'BT-106'] = value;
    expect(validateEn16931(withSource(sample)).map((f) => f.rule)).toContain(rule);
  });

  it('checks each VAT category amount and base (BR-CO-17, BR-S-08)', () => {
    const sample = sampleInvoice();
    sample.vatBreakdown[0] = { ...sample.vatBreakdown[0], 'BT-117': '240.00' };
    sample.vatBreakdown[1] = { ...sample.vatBreakdown[1], 'BT-116': '70.00' };
    const rules = validateEn16931(withSource(sample)).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['BR-CO-17', 'BR-S-08']));
  });

  it('accepts a cent of rounding per line in the EXTENDED profile only', () => {
    const sample = sampleInvoice();
    sample.fields['BT-106'] = '1260.02';
    sample.fields['BT-109'] = '1220.02';
    expect(validateEn16931(withSource(sample, 'EXTENDED')).map((f) => f.rule)).not.toContain('BR-CO-10');
    expect(validateEn16931(withSource(sample, 'EN16931')).map((f) => f.rule)).toContain('BR-CO-10');
  });

  it('checks the groups and payment terms (BR-33, BR-48, BR-61, BR-CO-18, BR-CO-25, BR-CO-26)', () => {
    const sample = sampleInvoice();
    sample.allowances = [{ 'BT-92': '50.00', 'BT-95': 'S', 'BT-96': '20.00' }];
    for (const id of ['BT-84', 'BT-9', 'BT-20', 'BT-30', 'BT-31'] as const) delete sample.fields[id];
    const rules = validateEn16931(withSource(sample)).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['BR-33', 'BR-61', 'BR-CO-25', 'BR-CO-26']));
    sample.vatBreakdown = [];
    expect(validateEn16931(withSource(sample)).map((f) => f.rule)).toContain('BR-CO-18');
    sample.vatBreakdown = [{ 'BT-116': '0.00', 'BT-117': '0.00', 'BT-118': 'O' }];
    expect(validateEn16931(withSource(sample)).map((f) => f.rule)).not.toContain('BR-48');
  });

  it('asks for no payment terms on a credit note (BR-CO-25)', () => {
    const sample = sampleInvoice();
    sample.fields['BT-3'] = '381';
    delete sample.fields['BT-9'];
    expect(validateEn16931(withSource(sample)).map((f) => f.rule)).not.toContain('BR-CO-25');
  });

  it('applies the rules of each VAT category from one table (BR-AE, BR-E, BR-O)', () => {
    const reverseCharge = sampleInvoice();
    reverseCharge.lines = [{ ...reverseCharge.lines[0], 'BT-151': 'AE', 'BT-152': '0' }];
    reverseCharge.vatBreakdown = [{ 'BT-116': '900.00', 'BT-117': '0.00', 'BT-118': 'AE', 'BT-119': '0' }];
    delete reverseCharge.fields['BT-48'];
    delete reverseCharge.fields['BT-47'];
    const rules = validateEn16931(withSource(reverseCharge)).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['BR-AE-02', 'BR-AE-10']));
    expect(rules).not.toContain('BR-AE-08');

    const exempt = sampleInvoice();
    exempt.vatBreakdown.push({ 'BT-116': '0.00', 'BT-117': '0.00', 'BT-118': 'E', 'BT-119': '0' });
    expect(validateEn16931(withSource(exempt)).map((f) => f.rule)).toEqual(expect.arrayContaining(['BR-E-01', 'BR-E-08', 'BR-E-10']));
    // UBL counts the breakdown as a use of its own category: one breakdown is enough there.
    const ublExempt = { ...exempt, source: { container: 'xml' as const, syntax: 'ubl' as const } };
    expect(validateEn16931(ublExempt).map((f) => f.rule)).not.toContain('BR-E-01');

    const notSubject = sampleInvoice();
    notSubject.vatBreakdown.push({ 'BT-116': '0.00', 'BT-117': '0.00', 'BT-118': 'O', 'BT-121': 'VATEX-EU-O' });
    expect(validateEn16931(withSource(notSubject)).map((f) => f.rule)).toEqual(expect.arrayContaining(['BR-O-11', 'BR-O-12']));
  });

  it('reports amounts with more than two decimals as BR-DEC', async () => {
    const sample = sampleInvoice();
    sample.fields['BT-109'] = '1220.000';
    expect(rulesOf(await extractCii(sample))).toContain('BR-DEC-12');
  });

  it('counts an empty but present postal address as present (BR-08), as the Schematron does', async () => {
    const sample = sampleInvoice();
    for (const id of ['BT-35', 'BT-37', 'BT-38', 'BT-40'] as const) delete sample.fields[id];
    const xml = writeCii(sample).replace(
      '<ram:Name>ATELIER DU FACTEUR SAS</ram:Name>',
      '<ram:Name>ATELIER DU FACTEUR SAS</ram:Name><ram:PostalTradeAddress></ram:PostalTradeAddress>',
    );
    const rules = rulesOf(await extractInvoice(new TextEncoder().encode(xml)));
    expect(rules).not.toContain('BR-08');
    expect(rules).toContain('BR-09');
  });
});

describe('the rule set follows the profile', () => {
  // The profiles' Schematron rules; the writer writes every term in the EN 16931 structure, which a
  // MINIMUM or BASIC schema also refuses (XSD, tested in xsd.test.ts).
  const errorsOf = (invoice: NormalisedInvoice) =>
    invoice.validation.filter((f) => f.severity === 'error' && f.rule !== 'XSD').map((f) => f.rule);
  const withProfile = (profile: string, change: (c: InvoiceContent) => void = () => {}) => {
    const sample = sampleInvoice();
    sample.fields['BT-24'] = profile;
    change(sample);
    return sample;
  };

  it('judges a MINIMUM invoice without lines by its profile, with a warning that it is not a full EN 16931 invoice', async () => {
    const minimum = withProfile('urn:factur-x.eu:1p0:minimum', (c) => {
      c.lines = [];
      // Nor does MINIMUM use the buyer's address and VAT number (FX-NOT-USED).
      for (const id of ['BT-48', 'BT-50', 'BT-52', 'BT-53', 'BT-55'] as const) delete c.fields[id];
    });
    const invoice = await extractCii(minimum);
    expect(errorsOf(invoice)).toEqual([]);
    expect(rulesOf(invoice)).toContain('FACTEUR-PROFILE');
    // The same invoice claiming EN 16931 is missing its lines.
    expect(errorsOf(await extractCii({ ...minimum, fields: { ...minimum.fields, 'BT-24': 'urn:cen.eu:en16931:2017' } }))).toContain(
      'BR-16',
    );
  });

  it('reports what a Factur-X profile does not use (FX-NOT-USED), as its Schematron does', async () => {
    const minimum = await extractCii(withProfile('urn:factur-x.eu:1p0:minimum'));
    expect(minimum.validation.find((f) => f.rule === 'FX-NOT-USED')?.message).toMatch(/PostalTradeAddress/);
    expect(errorsOf(minimum)).toEqual(['FX-NOT-USED', 'FX-NOT-USED']);
    expect(rulesOf(await extractCii(withProfile('urn:cen.eu:en16931:2017')))).not.toContain('FX-NOT-USED');
  });

  it('applies BR-CO-25 (removed in CEN 1.3.16) to EXTENDED invoices only', async () => {
    const withoutTerms = (profile: string) =>
      withProfile(profile, (c) => {
        delete c.fields['BT-9'];
        delete c.fields['BT-20'];
      });
    expect(errorsOf(await extractCii(withoutTerms('urn:cen.eu:en16931:2017')))).not.toContain('BR-CO-25');
    expect(errorsOf(await extractCii(withoutTerms('urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended')))).toContain(
      'BR-CO-25',
    );
  });

  it('checks the decimals of every UBL amount element as written, prices excepted (UBL-DT-01)', async () => {
    const sample = sampleInvoice();
    sample.fields['BT-112'] = '1455.300';
    sample.lines[0] = { ...sample.lines[0], 'BT-146': '450.0000' };
    const rules = rulesOf(await extractInvoice(new TextEncoder().encode(writeUbl(sample))));
    expect(rules.filter((r) => r === 'UBL-DT-01')).toHaveLength(1);
    expect(rulesOf(await extractCii(sample))).not.toContain('UBL-DT-01');
  });

  it('reports a profile the syntax cannot carry as an error (FACTEUR-PROFILE-SYNTAX)', async () => {
    const zugferd1 = withProfile('urn:ferd:CrossIndustryDocument:invoice:1p0:comfort');
    expect(errorsOf(await extractCii(zugferd1))).toEqual(['FACTEUR-PROFILE-SYNTAX']);
    const extended = withProfile('urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended');
    expect(errorsOf(await extractInvoice(new TextEncoder().encode(writeUbl(extended))))).toContain('FACTEUR-PROFILE-SYNTAX');
    expect(errorsOf(await extractCii(extended))).not.toContain('FACTEUR-PROFILE-SYNTAX');
    // The French EXTENDED-CTC-FR profile has a UBL form.
    const ctcFr = withProfile('urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr');
    expect(errorsOf(await extractInvoice(new TextEncoder().encode(writeUbl(ctcFr))))).not.toContain('FACTEUR-PROFILE-SYNTAX');
  });

  it('asks an item standard identifier for its scheme (BR-64) in either syntax', async () => {
    const errorsIn = async (xml: string) => errorsOf(await extractInvoice(new TextEncoder().encode(xml)));
    const cii = (scheme: string) =>
      writeCii(sampleInvoice()).replace(
        '<ram:SpecifiedTradeProduct>',
        `<ram:SpecifiedTradeProduct><ram:GlobalID${scheme}>4012345001235</ram:GlobalID>`,
      );
    const ubl = writeUbl(sampleInvoice()).replace(
      '<cac:Item>',
      '<cac:Item><cac:StandardItemIdentification><cbc:ID>4012345001235</cbc:ID></cac:StandardItemIdentification>',
    );
    expect(await errorsIn(cii(''))).toContain('BR-64');
    expect(await errorsIn(ubl)).toContain('BR-64');
    expect(await errorsIn(cii(' schemeID="0160"'))).not.toContain('BR-64');
  });

  it('wants an IBAN or a proprietary account id, not both, under a Factur-X profile (BR-CO-27)', async () => {
    const both = (profile: string) =>
      writeCii(withProfile(profile)).replace('</ram:IBANID>', '</ram:IBANID><ram:ProprietaryID>12345</ram:ProprietaryID>');
    expect(errorsOf(await extractInvoice(new TextEncoder().encode(both('urn:factur-x.eu:1p0:basic'))))).toContain('BR-CO-27');
    expect(errorsOf(await extractInvoice(new TextEncoder().encode(both('urn:cen.eu:en16931:2017'))))).not.toContain('BR-CO-27');
  });

  it('checks codes against the code lists of the CEN artefacts, in either syntax (BR-CL)', async () => {
    const sample = sampleInvoice();
    sample.fields['BT-5'] = 'EURO';
    sample.lines[0] = { ...sample.lines[0], 'BT-130': 'JOURS' };
    for (const xml of [writeCii(sample), writeUbl(sample)]) {
      const errors = errorsOf(await extractInvoice(new TextEncoder().encode(xml)));
      expect(errors).toEqual(expect.arrayContaining(['BR-CL-04', 'BR-CL-23']));
    }
    expect(errorsOf(await extractCii(sampleInvoice())).filter((r) => r.startsWith('BR-CL'))).toEqual([]);
  });

  it('reports the EN 16931 rules on a ZUGFeRD 1.0 invoice as warnings only', () => {
    const findings = gradeByProfile(
      [{ rule: 'BR-16', severity: 'error', message: 'no line' }],
      officialArtefact('zugferd1', 'xml', 'ZUGFeRD1'),
      'ZUGFeRD1',
    );
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['BR-16', 'warning']]);
  });
});

describe('French checks (warnings)', () => {
  const french = (edit: (content: InvoiceContent) => void) => {
    const sample = sampleInvoice();
    edit(sample);
    return validateFrance({ fields: sample.fields, notes: sample.notes ?? [] });
  };

  it('computes the check digits the way INSEE, the DGFiP and ISO 13616 do', () => {
    expect(sirenValid('732829320')).toBe(true);
    expect(sirenValid('732829321')).toBe(false);
    expect(siretValid('73282932000074')).toBe(true);
    expect(siretValid('73282932000075')).toBe(false);
    expect(siretValid('35600000049837')).toBe(true); // La Poste: digit sum a multiple of 5
    expect(siretValid('35600000049838')).toBe(false);
    expect(frenchVatKey('123456782')).toBe('11');
    expect(ibanValid('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(ibanValid('FR7630006000011234567890188')).toBe(false);
  });

  it('has nothing to say about a compliant French invoice', () => {
    expect(french(() => undefined)).toEqual([]);
  });

  it('warns about a SIREN, a VAT key and an IBAN that fail their check digits', () => {
    const rules = french((s) => {
      s.fields['BT-30'] = '123456789';
      s.fields['BT-48'] = 'FR45732829320';
      s.fields['BT-84'] = 'FR7630006000011234567890188';
    }).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['FACTEUR-FR-SIREN', 'FACTEUR-FR-VAT', 'FACTEUR-IBAN']));
  });

  it('warns when a mandatory mention (BR-FR-05) or an electronic address (BR-FR-12/13) is missing', () => {
    const findings = french((s) => {
      s.notes = s.notes?.filter((note) => note['BT-21'] !== 'PMD');
      delete s.fields['BT-49'];
    });
    expect(findings.map((f) => f.rule)).toEqual(['BR-FR-05', 'BR-FR-12']);
    expect(findings.every((f) => f.severity === 'warning')).toBe(true);
    expect(findings[0]?.message).toMatch(/PMD/);
  });

  it('does not apply the BR-FR rules to an invoice sent abroad', () => {
    const rules = french((s) => {
      s.fields['BT-55'] = 'DE';
      s.fields['BT-48'] = 'DE123456789';
      s.notes = [];
    }).map((f) => f.rule);
    expect(rules.filter((r) => r.startsWith('BR-FR'))).toEqual([]);
  });

  it('reads the UBL #CODE# note prefix as the subject code (BT-21)', async () => {
    const invoice = await extractInvoice(new TextEncoder().encode(writeUbl(sampleInvoice())));
    expect(invoice.notes).toEqual(sampleInvoice().notes);
    expect(invoice.validation).toEqual([]);
  });
});
