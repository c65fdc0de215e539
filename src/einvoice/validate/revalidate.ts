// The findings of an invoice whose values a person changed (a correction overlay), computed with
// the rules the extraction applied to the model: EN 16931 (graded by the same official artefact,
// for an invoice read from XML), the French checks, and FACTEUR-REVIEW from the confidences. What
// was found in the file itself (XSD, syntax, code lists on the XML, the page against the XML) is
// kept: the file has not changed.
import type { Finding, NormalisedInvoice } from '../model.ts';
import { reviewFinding } from '../visual/fields.ts';
import { EN16931_RULES, validateEn16931 } from './en16931.ts';
import { validateFrance } from './france.ts';
import { gradeByProfile, officialArtefact } from './profile.ts';

const EN16931 = new Set([...EN16931_RULES, 'FACTEUR-PROFILE']);
/** The French checks (validateFrance), by the rule ids it reports. */
const FRANCE = /^(BR-FR-|FACTEUR-FR-|FACTEUR-IBAN$)/;
/** A value of the file that could not be read as its type: moot once a person typed the term. */
const UNREADABLE = new Set(['FACTEUR-NUMBER', 'FACTEUR-DATE']);

/**
 * The findings of `invoice` (already corrected) after a person changed the terms in `changed`
 * (bare term ids: a line's BT-131 is `BT-131`). `invoice.validation` must still hold the findings of
 * the extraction. Presence is read from the values: an element the XML had but left empty now
 * counts as missing.
 */
export function revalidate(invoice: NormalisedInvoice, changed: ReadonlySet<string>): Finding[] {
  const fromXml = invoice.source.syntax !== undefined;
  const kept = invoice.validation.filter(
    (finding) =>
      !(fromXml && EN16931.has(finding.rule)) &&
      !FRANCE.test(finding.rule) &&
      finding.rule !== 'FACTEUR-REVIEW' &&
      !(UNREADABLE.has(finding.rule) && changed.has(finding.message.split(' ')[0] ?? '')),
  );
  const findings: Finding[] = [];
  if (fromXml && invoice.source.syntax) {
    const container = invoice.source.container === 'pdf' ? 'pdf' : 'xml';
    const artefact = officialArtefact(invoice.source.syntax, container, invoice.profileLevel);
    findings.push(...gradeByProfile(validateEn16931(invoice), artefact, invoice.profileLevel));
  }
  const review = reviewFinding(invoice.confidence);
  return [...findings, ...kept, ...(review ? [review] : []), ...validateFrance(invoice)];
}
