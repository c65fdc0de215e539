// BT-24 names the specification an invoice claims to follow. Producers spell it in many ways
// (`#compliant#` and `#conformant#`, the ZUGFeRD 2.0 `:compliant:` form, `urn:zugferd.de:2p0:…`,
// trailing spaces, case), so it is recognised by its distinctive parts rather than compared whole.
import type { ProfileLevel } from './model.ts';

const RULES: ReadonlyArray<readonly [RegExp, ProfileLevel]> = [
  [/xrechnung/, 'XRECHNUNG'],
  [/peppol/, 'PEPPOL'],
  // 1.0 and its release candidates: urn:ferd:CrossIndustryDocument:invoice:1p0:…, urn:ferd:invoice:rc:…
  [/^urn:ferd:/, 'ZUGFeRD1'],
  [/minimum/, 'MINIMUM'],
  [/basic[-\s_]?wl/, 'BASIC WL'],
  [/extended/, 'EXTENDED'],
  [/basic/, 'BASIC'],
  [/en16931/, 'EN16931'],
];

export function profileLevel(specificationIdentifier: string | undefined): ProfileLevel | undefined {
  if (specificationIdentifier === undefined) return undefined;
  const id = specificationIdentifier.trim().toLowerCase();
  return RULES.find(([pattern]) => pattern.test(id))?.[1];
}
