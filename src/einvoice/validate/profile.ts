// Which official artefact judges an invoice: the Factur-X profile's Schematron where BT-24 names a
// Factur-X or ZUGFeRD 2 profile, CEN's for its syntax otherwise; ZUGFeRD 1.0 predates EN 16931.
import type { ProfileLevel, Syntax } from '../model.ts';
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
