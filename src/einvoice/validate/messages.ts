// The sentences people read for each finding, in French and English, keyed by rule id. A finding
// carries its rule id and the values involved (`Finding.values`); its `message` stays the English
// line for logs and the CLI. Pure data and functions: the app formats amounts and dates in the
// reader's locale and the document's currency through `MessageFormat`. A rule family whose sentence
// is truly shared (the code lists BR-CL-…, the ten rules of each VAT category, BR-DEC-…) is one
// template; every other rule has its own. test/einvoice/messages.test.ts walks every rule id the
// validators can emit, and every rule id of the official artefacts, and fails on a missing language.
import { TERMS, type Finding, type TermId } from '../model.ts';
import { VAT_CATEGORY_RULES } from './categories.ts';
import { LINE_MANDATORY, MANDATORY, TWO_DECIMALS } from './en16931.ts';

export type MessageLanguage = 'fr' | 'en';

/** How the app writes values in the reader's language: money in the document's currency, numbers, dates. */
export interface MessageFormat {
  readonly language: MessageLanguage;
  money(amount: string): string;
  number(value: string): string;
  date(value: string): string;
}

type Values = Readonly<Record<string, string | undefined>>;
type Render = (v: Values, f: MessageFormat) => string;
interface Entry {
  readonly fr: Render;
  readonly en: Render;
}

/** The business terms' names in French, as French invoices and accountants word them. */
const TERM_NAMES_FR: Readonly<Record<TermId, string>> = {
  'BT-1': 'le numéro de facture',
  'BT-2': 'la date d’émission',
  'BT-3': 'le type de document',
  'BT-5': 'la devise de la facture',
  'BT-6': 'la devise de comptabilisation de la TVA',
  'BT-7': 'la date d’exigibilité de la TVA',
  'BT-8': 'le code de date d’exigibilité de la TVA',
  'BT-9': 'la date d’échéance',
  'BT-10': 'la référence de l’acheteur',
  'BT-11': 'la référence de projet',
  'BT-12': 'la référence du contrat',
  'BT-13': 'le numéro de bon de commande',
  'BT-14': 'la référence de commande client',
  'BT-19': 'la référence comptable de l’acheteur',
  'BT-20': 'les conditions de paiement',
  'BT-21': 'le code sujet de la note',
  'BT-22': 'la note',
  'BT-23': 'le type de processus',
  'BT-24': 'l’identifiant de spécification (profil)',
  'BT-25': 'la référence de la facture antérieure',
  'BT-27': 'la raison sociale du fournisseur',
  'BT-28': 'le nom commercial du fournisseur',
  'BT-29': 'l’identifiant du fournisseur',
  'BT-30': 'le SIREN ou SIRET du fournisseur',
  'BT-31': 'le numéro de TVA du fournisseur',
  'BT-32': 'l’identifiant fiscal du fournisseur',
  'BT-34': 'l’adresse électronique du fournisseur',
  'BT-35': 'la ligne 1 de l’adresse du fournisseur',
  'BT-36': 'la ligne 2 de l’adresse du fournisseur',
  'BT-162': 'la ligne 3 de l’adresse du fournisseur',
  'BT-37': 'la ville du fournisseur',
  'BT-38': 'le code postal du fournisseur',
  'BT-39': 'la région du fournisseur',
  'BT-40': 'le pays du fournisseur',
  'BT-44': 'la raison sociale du client',
  'BT-45': 'le nom commercial du client',
  'BT-46': 'l’identifiant du client',
  'BT-47': 'le SIREN ou SIRET du client',
  'BT-48': 'le numéro de TVA du client',
  'BT-49': 'l’adresse électronique du client',
  'BT-50': 'la ligne 1 de l’adresse du client',
  'BT-51': 'la ligne 2 de l’adresse du client',
  'BT-163': 'la ligne 3 de l’adresse du client',
  'BT-52': 'la ville du client',
  'BT-53': 'le code postal du client',
  'BT-54': 'la région du client',
  'BT-55': 'le pays du client',
  'BT-59': 'le nom du bénéficiaire',
  'BT-62': 'le nom du représentant fiscal',
  'BT-63': 'le numéro de TVA du représentant fiscal',
  'BT-69': 'le pays du représentant fiscal',
  'BT-72': 'la date de livraison',
  'BT-73': 'le début de la période facturée',
  'BT-74': 'la fin de la période facturée',
  'BT-80': 'le pays de livraison',
  'BT-81': 'le moyen de paiement',
  'BT-83': 'la référence de paiement',
  'BT-84': 'l’IBAN (compte de paiement)',
  'BT-85': 'le titulaire du compte',
  'BT-86': 'le BIC',
  'BT-90': 'l’identifiant de créancier SEPA',
  'BT-106': 'la somme des lignes HT',
  'BT-107': 'le total des remises',
  'BT-108': 'le total des frais',
  'BT-109': 'le total HT',
  'BT-110': 'le total de TVA',
  'BT-111': 'le total de TVA en devise de comptabilisation',
  'BT-112': 'le total TTC',
  'BT-113': 'le montant déjà payé',
  'BT-114': 'l’arrondi',
  'BT-115': 'le net à payer',
  'BT-92': 'le montant de la remise',
  'BT-93': 'la base de la remise',
  'BT-94': 'le pourcentage de la remise',
  'BT-95': 'la catégorie de TVA de la remise',
  'BT-96': 'le taux de TVA de la remise',
  'BT-97': 'le motif de la remise',
  'BT-98': 'le code motif de la remise',
  'BT-99': 'le montant des frais',
  'BT-100': 'la base des frais',
  'BT-101': 'le pourcentage des frais',
  'BT-102': 'la catégorie de TVA des frais',
  'BT-103': 'le taux de TVA des frais',
  'BT-104': 'le motif des frais',
  'BT-105': 'le code motif des frais',
  'BT-116': 'la base HT de la catégorie de TVA',
  'BT-117': 'le montant de TVA de la catégorie',
  'BT-118': 'la catégorie de TVA',
  'BT-119': 'le taux de TVA',
  'BT-120': 'le motif d’exonération',
  'BT-121': 'le code d’exonération',
  'BT-126': 'le numéro de ligne',
  'BT-127': 'la note de ligne',
  'BT-129': 'la quantité',
  'BT-130': 'l’unité de mesure',
  'BT-131': 'le montant HT de la ligne',
  'BT-146': 'le prix unitaire net',
  'BT-147': 'la remise sur le prix',
  'BT-148': 'le prix unitaire brut',
  'BT-149': 'la quantité de base du prix',
  'BT-151': 'la catégorie de TVA de l’article',
  'BT-152': 'le taux de TVA de l’article',
  'BT-153': 'la désignation de l’article',
  'BT-154': 'la description de l’article',
  'BT-155': 'la référence fournisseur de l’article',
  'BT-157': 'l’identifiant normalisé de l’article',
};

/** A term's name for a sentence: « le total TTC », "the Invoice total amount with VAT". */
export function termName(id: string | undefined, language: MessageLanguage): string {
  if (id === undefined) return language === 'fr' ? 'une donnée' : 'a term';
  const known = (TERMS as Record<string, { name: string }>)[id];
  if (!known) return id;
  return language === 'fr' ? TERM_NAMES_FR[id as TermId] : `the ${known.name}`;
}

/** The VAT categories (UNTDID 5305) in words, by code. */
export const VAT_CATEGORY_NAMES: Readonly<Record<string, { fr: string; en: string }>> = {
  S: { fr: 'taux normal', en: 'standard rate' },
  Z: { fr: 'taux zéro', en: 'zero rated' },
  E: { fr: 'exonération', en: 'exempt from VAT' },
  AE: { fr: 'autoliquidation', en: 'reverse charge' },
  K: { fr: 'livraison intracommunautaire', en: 'intra-community supply' },
  G: { fr: 'exportation hors UE', en: 'export outside the EU' },
  O: { fr: 'hors champ de la TVA', en: 'not subject to VAT' },
  L: { fr: 'IGIC (Canaries)', en: 'IGIC (Canary Islands)' },
  M: { fr: 'IPSI (Ceuta et Melilla)', en: 'IPSI (Ceuta and Melilla)' },
};

/** « taux normal (S) »; the code alone when it is not one of EN 16931's. */
export function vatCategoryName(code: string | undefined, language: MessageLanguage): string {
  if (!code) return language === 'fr' ? 'catégorie inconnue' : 'unknown category';
  const name = VAT_CATEGORY_NAMES[code];
  return name ? `${name[language]} (${code})` : code;
}

/** The rule-id prefix of each VAT category's ten rules. */
const CATEGORY_OF_PREFIX: Readonly<Record<string, string>> = {
  'BR-S': 'S',
  'BR-Z': 'Z',
  'BR-E': 'E',
  'BR-AE': 'AE',
  'BR-IC': 'K',
  'BR-G': 'G',
  'BR-O': 'O',
  'BR-AF': 'L',
  'BR-AG': 'M',
};

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** ` (value)` when the value is known, nothing otherwise: sentences read whole either way. */
const paren = (value: string | undefined) => (value === undefined || value === '' ? '' : ` (${value})`);
const moneyOf = (v: string | undefined, f: MessageFormat) => (v === undefined ? undefined : f.money(v));
const lineOf = (v: Values, language: MessageLanguage) =>
  v.line === undefined ? (language === 'fr' ? 'Une ligne' : 'A line') : language === 'fr' ? `La ligne ${v.line}` : `Line ${v.line}`;

/** « Le total TTC (233,47 €) ne correspond pas au … (218,48 € + 14,99 €) »: a total and what it should add up to. */
function totalRule(term: TermId, fr: (v: Values, f: MessageFormat) => string, en: (v: Values, f: MessageFormat) => string): Entry {
  return {
    fr: (v, f) => `${cap(termName(term, 'fr'))}${paren(moneyOf(v.actual, f))} ne correspond pas ${fr(v, f)}`,
    en: (v, f) => `${cap(termName(term, 'en'))}${paren(moneyOf(v.actual, f))} does not match ${en(v, f)}`,
  };
}

/** `a + b` of the values named, as money; the words alone when they are not known. */
const sumOf = (v: Values, f: MessageFormat, parts: ReadonlyArray<readonly [TermId, '+' | '−']>) =>
  parts.every(([id]) => v[id] !== undefined)
    ? ` (${parts.map(([id, sign], i) => `${i === 0 ? '' : ` ${sign} `}${f.money(v[id] ?? '0')}`).join('')})`
    : '';
const expectedOf = (v: Values, f: MessageFormat, language: MessageLanguage) =>
  v.expected === undefined ? '' : language === 'fr' ? `, soit ${f.money(v.expected)}` : `, that is ${f.money(v.expected)}`;

const ENTRIES: Record<string, Entry> = {};
const add = (id: string, entry: Entry) => {
  ENTRIES[id] = entry;
};

// BR-01…BR-15: a mandatory header term.
for (const [rule, term] of MANDATORY) {
  add(rule, {
    fr: () => `La facture n’indique pas ${termName(term, 'fr')} (obligatoire).`,
    en: () => `The invoice does not give ${termName(term, 'en')} (required).`,
  });
}
// BR-21…BR-26: a mandatory line term.
for (const [rule, term] of LINE_MANDATORY) {
  add(rule, {
    fr: (v) => `${lineOf(v, 'fr')} n’indique pas ${termName(term, 'fr')} (obligatoire).`,
    en: (v) => `${lineOf(v, 'en')} does not give ${termName(term, 'en')} (required).`,
  });
}
// BR-DEC-…: more than two decimals.
for (const [term, rule] of Object.entries(TWO_DECIMALS) as Array<[TermId, string]>) {
  add(rule, {
    fr: (v) => `${cap(termName(term, 'fr'))}${paren(v.value)} a plus de deux décimales.`,
    en: (v) => `${cap(termName(term, 'en'))}${paren(v.value)} has more than two decimals.`,
  });
}

const own: Record<string, Entry> = {
  'BR-08': { fr: () => 'L’adresse du fournisseur manque.', en: () => 'The seller’s postal address is missing.' },
  'BR-10': { fr: () => 'L’adresse du client manque.', en: () => 'The buyer’s postal address is missing.' },
  'BR-16': { fr: () => 'La facture n’a aucune ligne.', en: () => 'The invoice has no lines.' },
  'BR-17': { fr: () => 'Le bénéficiaire du paiement n’a pas de nom.', en: () => 'The payee has no name.' },
  'BR-18': { fr: () => 'Le représentant fiscal n’a pas de nom.', en: () => 'The seller’s tax representative has no name.' },
  'BR-19': { fr: () => 'Le représentant fiscal n’a pas d’adresse.', en: () => 'The seller’s tax representative has no address.' },
  'BR-20': {
    fr: () => 'L’adresse du représentant fiscal n’indique pas de pays.',
    en: () => 'The tax representative’s address gives no country.',
  },
  'BR-27': {
    fr: (v, f) => `${lineOf(v, 'fr')} a un prix unitaire net négatif${paren(moneyOf(v.value, f))}.`,
    en: (v, f) => `${lineOf(v, 'en')} has a negative net price${paren(moneyOf(v.value, f))}.`,
  },
  'BR-28': {
    fr: (v, f) => `${lineOf(v, 'fr')} a un prix unitaire brut négatif${paren(moneyOf(v.value, f))}.`,
    en: (v, f) => `${lineOf(v, 'en')} has a negative gross price${paren(moneyOf(v.value, f))}.`,
  },
  'BR-29': {
    fr: (v, f) => `La période facturée finit${paren(v.end && f.date(v.end))} avant de commencer${paren(v.start && f.date(v.start))}.`,
    en: (v, f) => `The invoicing period ends${paren(v.end && f.date(v.end))} before it starts${paren(v.start && f.date(v.start))}.`,
  },
  'BR-31': { fr: (v) => `La remise ${v.index ?? ''} n’a pas de montant.`, en: (v) => `Allowance ${v.index ?? ''} has no amount.` },
  'BR-32': {
    fr: (v) => `La remise ${v.index ?? ''} n’a pas de catégorie de TVA.`,
    en: (v) => `Allowance ${v.index ?? ''} has no VAT category.`,
  },
  'BR-33': { fr: (v) => `La remise ${v.index ?? ''} n’a pas de motif.`, en: (v) => `Allowance ${v.index ?? ''} gives no reason.` },
  'BR-36': { fr: (v) => `Les frais ${v.index ?? ''} n’ont pas de montant.`, en: (v) => `Charge ${v.index ?? ''} has no amount.` },
  'BR-37': {
    fr: (v) => `Les frais ${v.index ?? ''} n’ont pas de catégorie de TVA.`,
    en: (v) => `Charge ${v.index ?? ''} has no VAT category.`,
  },
  'BR-38': { fr: (v) => `Les frais ${v.index ?? ''} n’ont pas de motif.`, en: (v) => `Charge ${v.index ?? ''} gives no reason.` },
  'BR-45': {
    fr: (v) => `La ligne de TVA ${v.index ?? ''} n’a pas de base HT.`,
    en: (v) => `VAT breakdown ${v.index ?? ''} has no taxable amount.`,
  },
  'BR-46': {
    fr: (v) => `La ligne de TVA ${v.index ?? ''} n’a pas de montant de TVA.`,
    en: (v) => `VAT breakdown ${v.index ?? ''} has no tax amount.`,
  },
  'BR-47': {
    fr: (v) => `La ligne de TVA ${v.index ?? ''} n’a pas de catégorie.`,
    en: (v) => `VAT breakdown ${v.index ?? ''} has no VAT category.`,
  },
  'BR-48': {
    fr: (v) => `La ligne de TVA ${v.index ?? ''} n’a pas de taux (seul le hors champ peut s’en passer).`,
    en: (v) => `VAT breakdown ${v.index ?? ''} has no rate (only “not subject to VAT” may omit it).`,
  },
  'BR-49': { fr: () => 'Le moyen de paiement n’est pas précisé.', en: () => 'The payment means code is missing.' },
  'BR-53': {
    fr: () => 'Une devise de comptabilisation de la TVA est donnée sans le total de TVA dans cette devise.',
    en: () => 'A VAT accounting currency is given without the VAT total in that currency.',
  },
  'BR-55': {
    fr: () => 'La référence à la facture antérieure n’indique pas son numéro.',
    en: () => 'The preceding invoice reference gives no invoice number.',
  },
  'BR-56': {
    fr: () => 'Le représentant fiscal n’a pas de numéro de TVA.',
    en: () => 'The seller’s tax representative has no VAT number.',
  },
  'BR-57': { fr: () => 'L’adresse de livraison n’indique pas de pays.', en: () => 'The delivery address gives no country.' },
  'BR-61': {
    fr: () => 'Un paiement par virement doit indiquer l’IBAN du compte à créditer.',
    en: () => 'A payment by credit transfer must give the account (IBAN) to pay into.',
  },
  'BR-64': {
    fr: () => 'L’identifiant normalisé d’un article n’indique pas son schéma (GTIN…).',
    en: () => 'An item standard identifier does not name its scheme (GTIN…).',
  },
  'BR-CO-03': {
    fr: () => 'La date d’exigibilité de la TVA et son code ne peuvent pas être donnés ensemble.',
    en: () => 'The VAT point date and the VAT point date code cannot both be given.',
  },
  'BR-CO-04': {
    fr: (v) => `La ligne ${v.index ?? ''} n’a pas de catégorie de TVA.`,
    en: (v) => `Line ${v.index ?? ''} has no VAT category.`,
  },
  'BR-CO-10': totalRule(
    'BT-106',
    (v, f) => `à la somme des montants des lignes${paren(moneyOf(v.expected, f))}.`,
    (v, f) => `the sum of the line amounts${paren(moneyOf(v.expected, f))}.`,
  ),
  'BR-CO-11': totalRule(
    'BT-107',
    (v, f) => `à la somme des remises${paren(moneyOf(v.expected, f))}.`,
    (v, f) => `the sum of the allowances${paren(moneyOf(v.expected, f))}.`,
  ),
  'BR-CO-12': totalRule(
    'BT-108',
    (v, f) => `à la somme des frais${paren(moneyOf(v.expected, f))}.`,
    (v, f) => `the sum of the charges${paren(moneyOf(v.expected, f))}.`,
  ),
  'BR-CO-13': totalRule(
    'BT-109',
    (v, f) =>
      `à la somme des lignes moins les remises plus les frais${sumOf(v, f, [
        ['BT-106', '+'],
        ['BT-107', '−'],
        ['BT-108', '+'],
      ])}${expectedOf(v, f, 'fr')}.`,
    (v, f) =>
      `the line total less allowances plus charges${sumOf(v, f, [
        ['BT-106', '+'],
        ['BT-107', '−'],
        ['BT-108', '+'],
      ])}${expectedOf(v, f, 'en')}.`,
  ),
  'BR-CO-14': totalRule(
    'BT-110',
    (v, f) => `à la somme de la ventilation de TVA${paren(moneyOf(v.expected, f))}.`,
    (v, f) => `the sum of the VAT breakdown${paren(moneyOf(v.expected, f))}.`,
  ),
  'BR-CO-15': totalRule(
    'BT-112',
    (v, f) =>
      `au total HT + TVA${sumOf(v, f, [
        ['BT-109', '+'],
        ['BT-110', '+'],
      ])}${expectedOf(v, f, 'fr')}.`,
    (v, f) =>
      `the total without VAT plus VAT${sumOf(v, f, [
        ['BT-109', '+'],
        ['BT-110', '+'],
      ])}${expectedOf(v, f, 'en')}.`,
  ),
  'BR-CO-16': totalRule(
    'BT-115',
    (v, f) =>
      `au total TTC moins le déjà payé plus l’arrondi${sumOf(v, f, [
        ['BT-112', '+'],
        ['BT-113', '−'],
        ['BT-114', '+'],
      ])}${expectedOf(v, f, 'fr')}.`,
    (v, f) =>
      `the total with VAT less the paid amount plus rounding${sumOf(v, f, [
        ['BT-112', '+'],
        ['BT-113', '−'],
        ['BT-114', '+'],
      ])}${expectedOf(v, f, 'en')}.`,
  ),
  'BR-CO-17': {
    fr: (v, f) =>
      `La TVA ${v.category ? vatCategoryName(v.category, 'fr') : ''} à ${v.rate ? f.number(v.rate) : '?'} %${paren(moneyOf(v.actual, f))} ne correspond pas à base × taux${
        v.base && v.rate ? ` (${f.money(v.base)} × ${f.number(v.rate)} %)` : ''
      }${expectedOf(v, f, 'fr')}.`,
    en: (v, f) =>
      `The VAT ${v.category ? vatCategoryName(v.category, 'en') : ''} at ${v.rate ? f.number(v.rate) : '?'} %${paren(moneyOf(v.actual, f))} does not match base × rate${
        v.base && v.rate ? ` (${f.money(v.base)} × ${f.number(v.rate)} %)` : ''
      }${expectedOf(v, f, 'en')}.`,
  },
  'BR-CO-18': { fr: () => 'La facture n’a aucune ventilation de TVA.', en: () => 'The invoice has no VAT breakdown.' },
  'BR-CO-19': {
    fr: () => 'La période facturée n’a ni début ni fin.',
    en: () => 'The invoicing period has neither a start nor an end date.',
  },
  'BR-CO-25': {
    fr: () => 'Un montant reste à payer, mais la facture ne donne ni échéance ni conditions de paiement.',
    en: () => 'An amount is due, but the invoice gives neither a due date nor payment terms.',
  },
  'BR-CO-26': {
    fr: () => 'Le fournisseur n’est identifié ni par un identifiant, ni par un SIREN/SIRET, ni par un numéro de TVA.',
    en: () => 'The seller is identified by none of: identifier, legal registration (SIREN/SIRET), VAT number.',
  },
  'BR-CO-27': {
    fr: () => 'Un virement doit désigner le compte soit par un IBAN, soit par un identifiant propre : l’un des deux.',
    en: () => 'A credit transfer names its account by an IBAN or a proprietary id: exactly one of the two.',
  },
  'BR-IC-11': {
    fr: () => 'Une livraison intracommunautaire doit indiquer la date de livraison ou la période facturée.',
    en: () => 'An intra-community supply must give the delivery date or the invoicing period.',
  },
  'BR-IC-12': {
    fr: () => 'Une livraison intracommunautaire doit indiquer le pays de livraison.',
    en: () => 'An intra-community supply must give the country of delivery.',
  },
  'BR-O-11': {
    fr: () => 'Une facture hors champ de la TVA (O) ne peut pas avoir d’autre catégorie de TVA.',
    en: () => 'An invoice not subject to VAT (O) cannot have another VAT category.',
  },
  'BR-O-12': {
    fr: () => 'Une facture hors champ de la TVA (O) a une ligne d’une autre catégorie.',
    en: () => 'An invoice not subject to VAT (O) has a line of another category.',
  },
  'BR-O-13': {
    fr: () => 'Une facture hors champ de la TVA (O) a une remise d’une autre catégorie.',
    en: () => 'An invoice not subject to VAT (O) has an allowance of another category.',
  },
  'BR-O-14': {
    fr: () => 'Une facture hors champ de la TVA (O) a des frais d’une autre catégorie.',
    en: () => 'An invoice not subject to VAT (O) has a charge of another category.',
  },
  'BR-FR-01': {
    fr: (v) => `Le numéro de facture a ${v.length ?? 'plus de 35'} caractères ; 35 au plus sont admis.`,
    en: (v) => `The invoice number has ${v.length ?? 'more than 35'} characters; at most 35 are allowed.`,
  },
  'BR-FR-05': {
    fr: (v) =>
      `Une mention obligatoire manque${paren(v.code && (FR_NOTES[v.code]?.fr ?? v.code))} (note de facture, Code de commerce L441-9).`,
    en: (v) =>
      `A mandatory statement is missing${paren(v.code && (FR_NOTES[v.code]?.en ?? v.code))} (invoice note, French Code de commerce L441-9).`,
  },
  'BR-FR-10': {
    fr: () => 'Le SIREN du fournisseur (9 chiffres) est absent ou mal formé.',
    en: () => 'The seller’s SIREN (9 digits) is missing or malformed.',
  },
  'BR-FR-12': { fr: () => 'L’adresse électronique du client manque.', en: () => 'The buyer’s electronic address is missing.' },
  'BR-FR-13': { fr: () => 'L’adresse électronique du fournisseur manque.', en: () => 'The seller’s electronic address is missing.' },
  'UBL-DT-01': {
    fr: () => 'Un montant a plus de deux décimales.',
    en: () => 'An amount has more than two decimals.',
  },
  'FACTEUR-FR-SIREN': {
    fr: (v) => `Le SIREN${paren(v.value)} de ${partyOf(v.term, 'fr')} est invalide (clé de contrôle).`,
    en: (v) => `The SIREN${paren(v.value)} of ${partyOf(v.term, 'en')} is invalid (check digit).`,
  },
  'FACTEUR-FR-SIRET': {
    fr: (v) => `Le SIRET${paren(v.value)} de ${partyOf(v.term, 'fr')} est invalide (clé de contrôle).`,
    en: (v) => `The SIRET${paren(v.value)} of ${partyOf(v.term, 'en')} is invalid (check digit).`,
  },
  'FACTEUR-FR-VAT': {
    fr: (v) =>
      v.expected
        ? `Le numéro de TVA${paren(v.value)} de ${partyOf(v.term, 'fr')} a la clé ${v.key ?? '?'} ; son SIREN donne ${v.expected}.`
        : v.siren
          ? `Le numéro de TVA${paren(v.value)} de ${partyOf(v.term, 'fr')} correspond au SIREN ${v.siren}, pas à ${v.legal ?? '?'}.`
          : `Le numéro de TVA${paren(v.value)} de ${partyOf(v.term, 'fr')} n’a pas la forme FR + clé de 2 caractères + SIREN.`,
    en: (v) =>
      v.expected
        ? `The VAT number${paren(v.value)} of ${partyOf(v.term, 'en')} has key ${v.key ?? '?'}; its SIREN gives ${v.expected}.`
        : v.siren
          ? `The VAT number${paren(v.value)} of ${partyOf(v.term, 'en')} is for SIREN ${v.siren}, not ${v.legal ?? '?'}.`
          : `The VAT number${paren(v.value)} of ${partyOf(v.term, 'en')} is not FR + a 2-character key + the SIREN.`,
  },
  'FACTEUR-IBAN': {
    fr: (v) => `L’IBAN${paren(v.value)} est invalide (clé de contrôle).`,
    en: (v) => `The IBAN${paren(v.value)} is invalid (check digits).`,
  },
  'FACTEUR-DATE': {
    fr: (v) => `${cap(termName(v.term, 'fr'))}${paren(v.value)} n’est pas une date du calendrier.`,
    en: (v) => `${cap(termName(v.term, 'en'))}${paren(v.value)} is not a calendar date.`,
  },
  'FACTEUR-NUMBER': {
    fr: (v) =>
      v.read
        ? `${cap(termName(v.term, 'fr'))}${paren(v.value)} utilise une virgule décimale ; lu ${v.read}.`
        : `${cap(termName(v.term, 'fr'))}${paren(v.value)} n’est pas un nombre.`,
    en: (v) =>
      v.read
        ? `${cap(termName(v.term, 'en'))}${paren(v.value)} uses a decimal comma; read as ${v.read}.`
        : `${cap(termName(v.term, 'en'))}${paren(v.value)} is not a number.`,
  },
  'FACTEUR-PDF-XML': {
    fr: () =>
      'La page du PDF ne montre pas le numéro, la date ou le total de son XML : l’image et les données pourraient décrire deux factures différentes.',
    en: () => 'The PDF page does not show the number, date or total of its XML: the picture and the data may describe different invoices.',
  },
  'FACTEUR-PROFILE': {
    fr: (v) =>
      `Une facture ${v.level ?? 'MINIMUM ou BASIC WL'} n’est pas une facture EN 16931 complète : elle n’a pas de lignes et suit les règles de son profil Factur-X.`,
    en: (v) =>
      `A ${v.level ?? 'MINIMUM or BASIC WL'} invoice is not a full EN 16931 invoice: it has no lines and follows its Factur-X profile’s rules.`,
  },
  'FACTEUR-PROFILE-SYNTAX': {
    fr: (v) => `Le profil déclaré${paren(v.level)} ne peut pas être écrit dans cette syntaxe XML${paren(v.syntax)}.`,
    en: (v) => `The declared profile${paren(v.level)} cannot be written in this XML syntax${paren(v.syntax)}.`,
  },
  'FACTEUR-REVIEW': {
    fr: (v) => `Lu sur la page avec une confiance faible, à vérifier${v.terms ? ` : ${v.terms}` : ''}.`,
    en: (v) => `Read from the page with low confidence, to be checked${v.terms ? `: ${v.terms}` : ''}.`,
  },
  'FX-NOT-USED': {
    fr: (v) => `L’élément ${v.element ?? ''} n’est pas prévu par ce profil Factur-X.`,
    en: (v) => `The element ${v.element ?? ''} is not used in this Factur-X profile.`,
  },
  XSD: {
    fr: (v) => `Le XML ne respecte pas son schéma${v.line ? ` (ligne ${v.line})` : ''}${v.detail ? ` : ${v.detail}` : ''}.`,
    en: (v) => `The XML does not follow its schema${v.line ? ` (line ${v.line})` : ''}${v.detail ? `: ${v.detail}` : ''}.`,
  },
};
for (const [id, entry] of Object.entries(own)) add(id, entry);

/** The French mandatory mentions (BR-FR-05), by note subject code. */
const FR_NOTES: Readonly<Record<string, { fr: string; en: string }>> = {
  PMT: { fr: 'indemnité forfaitaire pour frais de recouvrement', en: 'fixed recovery indemnity' },
  PMD: { fr: 'pénalités de retard', en: 'late payment penalties' },
  AAB: { fr: 'conditions d’escompte', en: 'early payment discount terms' },
};

function partyOf(term: string | undefined, language: MessageLanguage): string {
  const buyer = term === 'BT-47' || term === 'BT-48';
  return language === 'fr' ? (buyer ? 'client' : 'fournisseur') : buyer ? 'the buyer' : 'the seller';
}

/** The ten rules of a VAT category (BR-S-01…10, BR-IC-…), one sentence each for every category. */
const CATEGORY_RULES: Readonly<Record<string, (category: string) => Entry>> = {
  '01': (c) => ({
    fr: () =>
      `La catégorie de TVA ${vatCategoryName(c, 'fr')} est utilisée sans la ligne de ventilation de TVA qui lui correspond (ou l’inverse).`,
    en: () => `The VAT category ${vatCategoryName(c, 'en')} is used without its VAT breakdown line (or the other way round).`,
  }),
  '02': (c) => usesIds(c, 'une ligne', 'a line'),
  '03': (c) => usesIds(c, 'une remise', 'an allowance'),
  '04': (c) => usesIds(c, 'des frais', 'a charge'),
  '05': (c) => rateOf(c, 'd’une ligne', 'of a line'),
  '06': (c) => rateOf(c, 'd’une remise', 'of an allowance'),
  '07': (c) => rateOf(c, 'de frais', 'of a charge'),
  '08': (c) => ({
    fr: (v, f) =>
      `La base HT${paren(moneyOf(v.actual, f))} de la TVA ${vatCategoryName(c, 'fr')} ne correspond pas à ses lignes, remises et frais${paren(moneyOf(v.expected, f))}.`,
    en: (v, f) =>
      `The taxable amount${paren(moneyOf(v.actual, f))} of the VAT ${vatCategoryName(c, 'en')} does not match its lines, allowances and charges${paren(moneyOf(v.expected, f))}.`,
  }),
  '09': (c) => ({
    fr: (v, f) =>
      `Le montant de TVA${paren(moneyOf(v.actual, f))} de la catégorie ${vatCategoryName(c, 'fr')} devrait être ${v.expected ? f.money(v.expected) : 'base × taux'}.`,
    en: (v, f) =>
      `The VAT amount${paren(moneyOf(v.actual, f))} of the category ${vatCategoryName(c, 'en')} should be ${v.expected ? f.money(v.expected) : 'base × rate'}.`,
  }),
  '10': (c) => ({
    fr: () => `Le motif d’exonération de la TVA ${vatCategoryName(c, 'fr')} manque ou n’a pas lieu d’être.`,
    en: () => `The exemption reason of the VAT ${vatCategoryName(c, 'en')} is missing, or should not be there.`,
  }),
};

function usesIds(c: string, fr: string, en: string): Entry {
  return c === 'O'
    ? {
        fr: () => `Avec ${fr} hors champ de la TVA (O), la facture ne doit porter aucun numéro de TVA.`,
        en: () => `With ${en} not subject to VAT (O), the invoice must carry no VAT number.`,
      }
    : {
        fr: () =>
          `Avec ${fr} en ${vatCategoryName(c, 'fr')}, la facture doit porter le numéro de TVA du fournisseur (et du client selon le cas).`,
        en: () =>
          `With ${en} in ${vatCategoryName(c, 'en')}, the invoice must carry the seller’s VAT number (and the buyer’s where required).`,
      };
}

function rateOf(c: string, fr: string, en: string): Entry {
  return {
    fr: (v, f) =>
      `Le taux de TVA ${fr} en ${vatCategoryName(c, 'fr')}${paren(v.rate && `${f.number(v.rate)} %`)} ne convient pas à cette catégorie.`,
    en: (v, f) =>
      `The VAT rate ${en} in ${vatCategoryName(c, 'en')}${paren(v.rate && `${f.number(v.rate)} %`)} does not fit this category.`,
  };
}

for (const rule of VAT_CATEGORY_RULES) {
  if (ENTRIES[rule]) continue;
  const match = /^(BR-[A-Z]+)-(\d\d)$/.exec(rule);
  const category = match?.[1] ? CATEGORY_OF_PREFIX[match[1]] : undefined;
  const template = match?.[2] ? CATEGORY_RULES[match[2]] : undefined;
  if (category && template) add(rule, template(category));
}

/** BR-CL-…: one sentence for every code list, naming the list. */
const CODE_LISTS: Readonly<Record<string, { fr: string; en: string }>> = {
  'BR-CL-01': { fr: 'types de document (UNTDID 1001)', en: 'document types (UNTDID 1001)' },
  'BR-CL-03': { fr: 'devises (ISO 4217)', en: 'currencies (ISO 4217)' },
  'BR-CL-04': { fr: 'devises (ISO 4217)', en: 'currencies (ISO 4217)' },
  'BR-CL-05': { fr: 'devises (ISO 4217)', en: 'currencies (ISO 4217)' },
  'BR-CL-06': { fr: 'codes de date d’exigibilité (UNTDID 2005)', en: 'VAT point date codes (UNTDID 2005)' },
  'BR-CL-07': { fr: 'qualifiants de référence (UNTDID 1153)', en: 'reference qualifiers (UNTDID 1153)' },
  'BR-CL-08': { fr: 'sujets de note (UNTDID 4451)', en: 'note subjects (UNTDID 4451)' },
  'BR-CL-10': { fr: 'schémas d’identifiants (ISO 6523)', en: 'identifier schemes (ISO 6523)' },
  'BR-CL-11': { fr: 'schémas d’immatriculation (ISO 6523)', en: 'registration schemes (ISO 6523)' },
  'BR-CL-13': { fr: 'classifications d’articles (UNTDID 7143)', en: 'item classifications (UNTDID 7143)' },
  'BR-CL-14': { fr: 'pays (ISO 3166)', en: 'countries (ISO 3166)' },
  'BR-CL-15': { fr: 'pays (ISO 3166)', en: 'countries (ISO 3166)' },
  'BR-CL-16': { fr: 'moyens de paiement (UNTDID 4461)', en: 'payment means (UNTDID 4461)' },
  'BR-CL-17': { fr: 'catégories de TVA (UNTDID 5305)', en: 'VAT categories (UNTDID 5305)' },
  'BR-CL-18': { fr: 'catégories de TVA (UNTDID 5305)', en: 'VAT categories (UNTDID 5305)' },
  'BR-CL-19': { fr: 'motifs de remise (UNTDID 5189)', en: 'allowance reasons (UNTDID 5189)' },
  'BR-CL-20': { fr: 'motifs de frais (UNTDID 7161)', en: 'charge reasons (UNTDID 7161)' },
  'BR-CL-21': { fr: 'schémas d’identifiants d’article (ISO 6523)', en: 'item identifier schemes (ISO 6523)' },
  'BR-CL-22': { fr: 'codes d’exonération (VATEX)', en: 'exemption reason codes (VATEX)' },
  'BR-CL-23': { fr: 'unités de mesure (UN/ECE Rec 20)', en: 'units of measure (UN/ECE Rec 20)' },
  'BR-CL-24': { fr: 'types de pièce jointe (MIME)', en: 'attachment types (MIME)' },
  'BR-CL-25': { fr: 'schémas d’adresse électronique (EAS)', en: 'electronic address schemes (EAS)' },
  'BR-CL-26': { fr: 'schémas d’identifiant de livraison (ISO 6523)', en: 'delivery location schemes (ISO 6523)' },
};
for (const [rule, list] of Object.entries(CODE_LISTS)) {
  add(rule, {
    fr: (v) => `Le code${paren(v.value && `« ${v.value} »`)}${v.element ? ` de ${v.element}` : ''} n’est pas dans la liste des ${list.fr}.`,
    en: (v) => `The code${paren(v.value && `"${v.value}"`)}${v.element ? ` in ${v.element}` : ''} is not in the list of ${list.en}.`,
  });
}

/**
 * The other rules of the official artefacts: Facteur's validators do not emit them today (the
 * artefacts themselves can, in the conformance suite), but a finding named by one is still written
 * for people. Business rules one by one; the syntax and data-type families (CII-SR, UBL-CR, UBL-SR,
 * CII-DT, UBL-DT, FX-SCH-A) share one statement each, as their English texts do.
 */
const official: Record<string, Entry> = {
  'BR-30': {
    fr: () => 'La période d’une ligne finit avant de commencer.',
    en: () => 'A line’s period ends before it starts.',
  },
  'BR-41': { fr: () => 'Une remise de ligne n’a pas de montant.', en: () => 'A line allowance has no amount.' },
  'BR-42': { fr: () => 'Une remise de ligne n’a pas de motif.', en: () => 'A line allowance gives no reason.' },
  'BR-43': { fr: () => 'Des frais de ligne n’ont pas de montant.', en: () => 'A line charge has no amount.' },
  'BR-44': { fr: () => 'Des frais de ligne n’ont pas de motif.', en: () => 'A line charge gives no reason.' },
  'BR-50': {
    fr: () => 'Un virement est indiqué sans le compte (IBAN) à créditer.',
    en: () => 'A credit transfer is given without the account (IBAN) to pay into.',
  },
  'BR-51': {
    fr: () => 'Le numéro de carte de paiement apparaît en entier : 6 premiers et 4 derniers chiffres au plus.',
    en: () => 'The payment card number appears in full: at most its first 6 and last 4 digits.',
  },
  'BR-52': {
    fr: () => 'Un justificatif joint n’a pas de référence.',
    en: () => 'An additional supporting document has no reference.',
  },
  'BR-54': {
    fr: () => 'Un attribut d’article n’a pas de nom ou de valeur.',
    en: () => 'An item attribute lacks its name or value.',
  },
  'BR-62': {
    fr: () => 'L’adresse électronique du fournisseur n’indique pas son schéma.',
    en: () => 'The seller’s electronic address does not name its scheme.',
  },
  'BR-63': {
    fr: () => 'L’adresse électronique du client n’indique pas son schéma.',
    en: () => 'The buyer’s electronic address does not name its scheme.',
  },
  'BR-65': {
    fr: () => 'La classification d’un article n’indique pas son schéma.',
    en: () => 'An item classification does not name its scheme.',
  },
  'BR-B-01': {
    fr: () => 'Le paiement fractionné (split payment) n’existe que pour une facture italienne.',
    en: () => 'Split payment applies only to a domestic Italian invoice.',
  },
  'BR-B-02': {
    fr: () => 'Une facture en paiement fractionné ne peut pas avoir aussi des montants au taux normal.',
    en: () => 'A split-payment invoice cannot also have standard-rated amounts.',
  },
  'BR-CO-05': {
    fr: () => 'Le code et le libellé du motif d’une remise ne disent pas la même chose.',
    en: () => 'An allowance’s reason code and reason text do not say the same.',
  },
  'BR-CO-06': {
    fr: () => 'Le code et le libellé du motif de frais ne disent pas la même chose.',
    en: () => 'A charge’s reason code and reason text do not say the same.',
  },
  'BR-CO-07': {
    fr: () => 'Le code et le libellé du motif d’une remise de ligne ne disent pas la même chose.',
    en: () => 'A line allowance’s reason code and reason text do not say the same.',
  },
  'BR-CO-08': {
    fr: () => 'Le code et le libellé du motif de frais de ligne ne disent pas la même chose.',
    en: () => 'A line charge’s reason code and reason text do not say the same.',
  },
  'BR-CO-09': {
    fr: () => 'Un numéro de TVA ne commence pas par le code de son pays (FR, DE…, EL pour la Grèce).',
    en: () => 'A VAT number does not start with its country code (FR, DE…, EL for Greece).',
  },
  'BR-CO-20': {
    fr: () => 'La période d’une ligne n’a ni début ni fin.',
    en: () => 'A line’s period has neither a start nor an end date.',
  },
  'BR-DEC-24': lineDecimals('le montant d’une remise de ligne', 'a line allowance amount'),
  'BR-DEC-25': lineDecimals('la base d’une remise de ligne', 'a line allowance base amount'),
  'BR-DEC-27': lineDecimals('le montant de frais de ligne', 'a line charge amount'),
  'BR-DEC-28': lineDecimals('la base de frais de ligne', 'a line charge base amount'),
  'BR-CO-21': { fr: () => 'Une remise n’a pas de motif.', en: () => 'An allowance gives no reason.' },
  'BR-CO-22': { fr: () => 'Des frais n’ont pas de motif.', en: () => 'A charge gives no reason.' },
  'BR-CO-23': { fr: () => 'Une remise de ligne n’a pas de motif.', en: () => 'A line allowance gives no reason.' },
  'BR-CO-24': { fr: () => 'Des frais de ligne n’ont pas de motif.', en: () => 'A line charge gives no reason.' },
  'BR-FX-EN-04': {
    fr: () => 'La facture n’indique ni date de livraison ni période (facture, ou chaque ligne), sauf pour un acompte.',
    en: () => 'The invoice gives no delivery date or period (for the invoice or each line), unless it is a down payment.',
  },
  'PEPPOL-EN16931-R008': { fr: () => 'Le XML contient des éléments vides.', en: () => 'The XML contains empty elements.' },
  'BR-FXEXT-01': {
    fr: () => 'Une note avec un code sujet n’a pas de texte (ou ses deux textes diffèrent).',
    en: () => 'A note with a subject code has no text (or its two texts differ).',
  },
  'BR-FXEXT-02': {
    fr: () => 'Une note de ligne avec un code sujet n’a pas de texte (ou ses deux textes diffèrent).',
    en: () => 'A line note with a subject code has no text (or its two texts differ).',
  },
  'BR-FXEXT-03': {
    fr: () => 'Pour ce partenaire (livraison de ligne, agent, représentant fiscal…), seul un numéro de TVA est admis.',
    en: () => 'For this party (line ship-to, agent, tax representative…), only a VAT number may be given.',
  },
  'BR-FXEXT-04': {
    fr: () => 'Un attribut d’article utilise un code hors de la liste UNTDED 6313 + extension Factur-X.',
    en: () => 'An item attribute uses a code outside UNTDED 6313 + the Factur-X extension.',
  },
  'BR-FXEXT-06': {
    fr: () => 'Des lignes ont une ligne parente, mais pas toutes n’indiquent leur sous-type.',
    en: () => 'Lines have a parent line, but not every line gives its subtype.',
  },
  'BR-FXEXT-08': {
    fr: () => 'Le montant d’un sous-total ne correspond pas à la somme de ses lignes.',
    en: () => 'A subtotal’s amount does not match the sum of its lines.',
  },
  'BR-FXEXT-11': {
    fr: () => 'Une ligne renvoie à une ligne parente qui n’existe pas.',
    en: () => 'A line refers to a parent line that does not exist.',
  },
  'BR-FXEXT-12': {
    fr: () => 'Un groupe de lignes avec un montant contient des sous-groupes sans montant.',
    en: () => 'A line group with an amount contains subgroups without one.',
  },
};
for (const [id, entry] of Object.entries(official)) add(id, entry);

function lineDecimals(fr: string, en: string): Entry {
  return {
    fr: (v) => `${cap(fr)}${paren(v.value)} a plus de deux décimales.`,
    en: (v) => `${cap(en)}${paren(v.value)} has more than two decimals.`,
  };
}

/** The syntax and data-type families of the official artefacts, each one statement. */
const FAMILIES: ReadonlyArray<readonly [RegExp, Entry]> = [
  [
    /^CII-SR-\d+$/,
    {
      fr: () => 'Un élément de la facture CII est en trop ou répété : EN 16931 ne le prévoit pas, ou pas plusieurs fois.',
      en: () => 'An element of the CII invoice is not expected, or repeated: EN 16931 does not provide for it, or not more than once.',
    },
  ],
  [
    /^UBL-CR-\d+$/,
    {
      fr: () => 'La facture UBL contient un élément qu’EN 16931 ne prévoit pas.',
      en: () => 'The UBL invoice contains an element EN 16931 does not provide for.',
    },
  ],
  [
    /^UBL-SR-\d+$/,
    {
      fr: () => 'Un élément de la facture UBL est répété alors qu’EN 16931 n’en admet qu’un (ou des valeurs égales).',
      en: () => 'An element of the UBL invoice is repeated where EN 16931 allows one (or equal values).',
    },
  ],
  [
    /^(?:BR-FXEXT-)?(?:CII|UBL)-DT-\d+[a-z]?$/,
    {
      fr: () => 'Un attribut ou un format de donnée n’est pas celui qu’EN 16931 prévoit (règle de types de données).',
      en: () => 'An attribute or data format is not the one EN 16931 provides for (data type rule).',
    },
  ],
  [
    /^FX-SCH-A-\d+$/,
    {
      fr: () => 'La structure XML ne suit pas le schéma du profil Factur-X déclaré.',
      en: () => 'The XML structure does not follow the declared Factur-X profile’s schema.',
    },
  ],
];

/**
 * A rule's entry: its own, else Factur-X EXTENDED's variant of an EN 16931 rule (BR-FXEXT-S-08ini,
 * BR-FXEXT-CO-10, BR-FXEXT-BR-54-1: the EN 16931 rule's sentence), else its family's.
 */
function entryOf(rule: string): Entry | undefined {
  const own = ENTRIES[rule];
  if (own) return own;
  const [, named, variant] = /^BR-FXEXT-(BR-)?([A-Z]+-?\d+|\d+)(?:ini|rev|b|-\d)?$/.exec(rule) ?? [];
  // BR-FXEXT-01…12 are EXTENDED's own rules (they have their own sentences); BR-FXEXT-BR-22 varies BR-22.
  if (variant && (named || !/^\d+$/.test(variant))) {
    const base = ENTRIES[`BR-${variant.replace(/^([A-Z]+)(\d)/, '$1-$2')}`];
    if (base) return base;
  }
  return FAMILIES.find(([pattern]) => pattern.test(rule))?.[1];
}

/** Every rule id with a sentence of its own (families and EXTENDED variants are resolved by `hasMessage`). */
export const MESSAGE_RULES: readonly string[] = Object.keys(ENTRIES);

/** The finding as a person reads it in `f.language`; the finding's own English line for a rule the catalogue does not know. */
export function findingMessage(finding: Pick<Finding, 'rule' | 'message' | 'values'>, f: MessageFormat): string {
  const entry = entryOf(finding.rule);
  return entry ? entry[f.language](finding.values ?? {}, f) : finding.message;
}

/** Whether the catalogue has both languages for the rule. */
export function hasMessage(rule: string): boolean {
  return entryOf(rule) !== undefined;
}
