// The rule set follows the profile: an invoice is judged by the official artefact that applies to
// it, so a rule that artefact does not contain does not fire, and one it reports only as a warning
// is a warning here. MINIMUM and BASIC WL carry no lines by design (their Schematrons have no BR-16
// and no line rules); EXTENDED replaces several EN 16931 rules by its own (BR-FXEXT-…) and keeps
// BR-CO-25, which CEN 1.3.16 removed; ZUGFeRD 1.0 predates EN 16931 and has no Schematron at all.
import type { Finding, ProfileLevel, Syntax } from '../model.ts';
import { OFFICIAL_RULES } from './official-rules.ts';

export type OfficialArtefact = keyof typeof OFFICIAL_RULES;

const PROFILE_ARTEFACTS: Partial<Record<ProfileLevel, OfficialArtefact>> = {
  MINIMUM: 'fx-minimum',
  'BASIC WL': 'fx-basicwl',
  BASIC: 'fx-basic',
  EXTENDED: 'fx-extended',
};

/**
 * The artefact whose verdict counts: the Factur-X profile's where BT-24 names a Factur-X or ZUGFeRD 2
 * profile, CEN otherwise. BT-24 `urn:cen.eu:en16931:2017` is both the CEN id and the Factur-X
 * EN 16931 profile's: inside a PDF it is the Factur-X profile, as bare XML a CEN invoice. Undefined
 * for ZUGFeRD 1.0.
 */
export function officialArtefact(syntax: Syntax, container: 'xml' | 'pdf', level: ProfileLevel | undefined): OfficialArtefact | undefined {
  if (syntax === 'zugferd1') return undefined;
  if (syntax === 'ubl') return 'cen-ubl';
  if (level === 'EN16931' && container === 'pdf') return 'fx-en16931';
  return (level && PROFILE_ARTEFACTS[level]) ?? 'cen-cii';
}

const sets = new Map(
  (Object.entries(OFFICIAL_RULES) as Array<[OfficialArtefact, { errors: readonly string[]; warnings: readonly string[] }]>).map(
    ([name, rules]) => [name, { errors: new Set(rules.errors), warnings: new Set(rules.warnings) }] as const,
  ),
);

const LINELESS: ReadonlySet<ProfileLevel> = new Set(['MINIMUM', 'BASIC WL']);

/** The EN 16931 findings as the applicable artefact (`officialArtefact`) grades them, with a word on lineless profiles. */
export function gradeByProfile(
  findings: readonly Finding[],
  artefact: OfficialArtefact | undefined,
  level: ProfileLevel | undefined,
): Finding[] {
  if (artefact === undefined) {
    return findings.map((f) => ({ ...f, severity: 'warning', message: `${f.message} (EN 16931 rule; ZUGFeRD 1.0 predates EN 16931)` }));
  }
  const rules = sets.get(artefact);
  const graded: Finding[] = [];
  for (const finding of findings) {
    if (rules?.errors.has(finding.rule)) graded.push(finding);
    else if (rules?.warnings.has(finding.rule)) graded.push({ ...finding, severity: 'warning' });
  }
  if (level && LINELESS.has(level)) {
    graded.push({
      rule: 'FACTEUR-PROFILE',
      severity: 'warning',
      message: `A ${level} invoice is not a full EN 16931 invoice: it carries no lines, and is judged by its Factur-X profile's rules`,
      values: { level },
    });
  }
  return graded;
}

/** The profiles Factur-X defines only in CII D16B (the French EXTENDED-CTC-FR has a UBL form: not these ids). */
const CII_ONLY: ReadonlySet<ProfileLevel> = new Set(['MINIMUM', 'BASIC WL', 'BASIC', 'EXTENDED']);
const FACTUR_X_ID = /factur-x|zugferd/i;

/**
 * FACTEUR-PROFILE-SYNTAX: BT-24 names a profile the file's syntax cannot carry, a ZUGFeRD 1.0 profile
 * in CII D16B, a later one in a ZUGFeRD 1.0 document, a Factur-X profile in UBL. The file is then
 * judged by the rules of its syntax, and the sender should know its claim is wrong.
 */
export function checkProfileSyntax(syntax: Syntax, level: ProfileLevel | undefined, specification: string | undefined): Finding[] {
  const mismatch =
    level !== undefined &&
    ((syntax === 'cii' && level === 'ZUGFeRD1') ||
      (syntax === 'zugferd1' && level !== 'ZUGFeRD1') ||
      (syntax === 'ubl' && CII_ONLY.has(level) && FACTUR_X_ID.test(specification ?? '')));
  if (!mismatch) return [];
  const written = { cii: 'CII D16B', ubl: 'UBL', zugferd1: 'ZUGFeRD 1.0' }[syntax];
  return [
    {
      rule: 'FACTEUR-PROFILE-SYNTAX',
      severity: 'error',
      message: `The specification identifier (BT-24) ${specification ?? ''} names a ${level} profile, which is not written in ${written}`,
      values: { level, syntax: written },
    },
  ];
}
