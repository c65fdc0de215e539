// French checks, reported as warnings: an invoice that fails them is still an invoice Facteur can
// read, but a French buyer will want to know. Check digits (SIREN/SIRET Luhn, the VAT key, IBAN
// mod 97) apply wherever such an identifier appears; the BR-FR rules of the 2026 reform apply to
// invoices between two French companies. Rule ids are those of the French CTC specifications where
// one exists, `FACTEUR-…` for the check-digit verifications they take for granted.
import type { Finding, NormalisedInvoice, TermId } from '../model.ts';

type Invoice = Pick<NormalisedInvoice, 'fields' | 'notes'>;

/** Luhn (mod 10) over a digit string, as INSEE computes SIREN and SIRET keys. */
export function luhnValid(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return total % 10 === 0;
}

/**
 * La Poste has more establishments than five Luhn-checked digits can number, so INSEE also accepts,
 * for its SIREN alone, a SIRET whose digits add up to a multiple of 5.
 */
const LA_POSTE_SIREN = '356000000';

export function sirenValid(siren: string): boolean {
  return /^\d{9}$/.test(siren) && luhnValid(siren);
}

export function siretValid(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (luhnValid(siret)) return true;
  return siret.startsWith(LA_POSTE_SIREN) && [...siret].reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
}

/** The key of a French VAT number: FR + key (2 digits) + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function frenchVatKey(siren: string): string {
  return String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0');
}

/** ISO 13616: move the country and check digits to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= 'A' ? char.charCodeAt(0) - 55 : Number(char);
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

const looksLikeIban = (value: string) => /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/i.test(value.replace(/\s+/g, ''));

/** The mandatory mentions of French B2B invoices (Code de commerce L441-9), as BG-1 note subjects. */
const MANDATORY_NOTE_SUBJECTS: ReadonlyArray<readonly [string, string]> = [
  ['PMT', 'the fixed recovery indemnity (indemnité forfaitaire pour frais de recouvrement)'],
  ['PMD', 'the late payment penalties (pénalités de retard)'],
  ['AAB', 'the early payment discount terms (escompte), or that there is none'],
];

const isFrench = (country: string | undefined, vat: string | undefined) =>
  country === 'FR' || (vat?.toUpperCase().startsWith('FR') ?? false);

export function validateFrance(invoice: Invoice): Finding[] {
  const findings: Finding[] = [];
  const warn = (rule: string, message: string, values?: Record<string, string>) =>
    findings.push({ rule, severity: 'warning', message, ...(values ? { values } : {}) });
  const f = invoice.fields;

  const parties: ReadonlyArray<readonly [string, TermId, TermId]> = [
    ['Seller', 'BT-30', 'BT-31'],
    ['Buyer', 'BT-47', 'BT-48'],
  ];
  for (const [party, legalId, vatId] of parties) {
    const legal = f[legalId];
    if (legal !== undefined && /^\d{9}$/.test(legal) && !sirenValid(legal)) {
      warn('FACTEUR-FR-SIREN', `${party} SIREN ${legal} (${legalId}) fails its check digit`, { term: legalId, value: legal });
    }
    if (legal !== undefined && /^\d{14}$/.test(legal) && !siretValid(legal)) {
      warn('FACTEUR-FR-SIRET', `${party} SIRET ${legal} (${legalId}) fails its check digit`, { term: legalId, value: legal });
    }
    const vat = f[vatId]?.toUpperCase();
    const frenchVat = vat === undefined ? null : /^FR([0-9A-Z]{2})(\d{9})$/.exec(vat);
    if (vat?.startsWith('FR') && !frenchVat) {
      warn('FACTEUR-FR-VAT', `${party} VAT identifier ${vat} (${vatId}) is not FR + 2 key characters + 9-digit SIREN`, {
        term: vatId,
        value: vat,
      });
    } else if (frenchVat?.[1] && frenchVat[2]) {
      const [, key = '', siren = ''] = frenchVat;
      // Keys with letters are the older alphanumeric form, computed by a rule that is not public.
      if (/^\d{2}$/.test(key) && key !== frenchVatKey(siren)) {
        warn('FACTEUR-FR-VAT', `${party} VAT identifier ${vat} (${vatId}) has key ${key}; its SIREN gives ${frenchVatKey(siren)}`, {
          term: vatId,
          value: vat ?? '',
          key,
          expected: frenchVatKey(siren),
        });
      }
      if (legal !== undefined && /^\d{9}(\d{5})?$/.test(legal) && !legal.startsWith(siren)) {
        warn('FACTEUR-FR-VAT', `${party} VAT identifier ${vat} (${vatId}) is for SIREN ${siren}, not ${legal} (${legalId})`, {
          term: vatId,
          value: vat ?? '',
          siren,
          legal,
        });
      }
    }
  }

  const iban = f['BT-84'];
  if (iban !== undefined && looksLikeIban(iban) && !ibanValid(iban)) {
    warn('FACTEUR-IBAN', `Payment account ${iban} (BT-84) fails the IBAN check (mod 97)`, { value: iban });
  }

  // The BR-FR rules govern invoices between two French companies (flux 2 of the reform).
  if (!isFrench(f['BT-40'], f['BT-31']) || !isFrench(f['BT-55'], f['BT-48'])) return findings;
  if (f['BT-1'] !== undefined && f['BT-1'].length > 35) {
    warn('BR-FR-01', `Invoice number (BT-1) has ${f['BT-1'].length} characters; at most 35 are allowed`, {
      length: String(f['BT-1'].length),
    });
  }
  const subjects = new Set(invoice.notes.map((note) => note['BT-21']));
  for (const [subject, meaning] of MANDATORY_NOTE_SUBJECTS) {
    if (!subjects.has(subject)) warn('BR-FR-05', `No invoice note (BG-1) with subject ${subject} states ${meaning}`, { code: subject });
  }
  if (f['BT-30'] === undefined || !/^\d{9}$/.test(f['BT-30'])) {
    warn('BR-FR-10', 'Seller legal registration identifier (BT-30) shall be the 9-digit SIREN');
  }
  if (f['BT-49'] === undefined) warn('BR-FR-12', 'Buyer electronic address (BT-49) is missing');
  if (f['BT-34'] === undefined) warn('BR-FR-13', 'Seller electronic address (BT-34) is missing');
  return findings;
}
