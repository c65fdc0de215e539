// The words of the review screen's correction form and decision bar, French first, then English
// (kept apart from app/i18n.ts so that the form's words travel with it).
import type { Locale } from '../../i18n.ts';

const NNBSP = '\u202f';

const fr = {
  edit: 'Corriger',
  editHint: 'Corriger les champs lus. La lecture d’origine est conservée.',
  cancel: 'Annuler',
  save: 'Enregistrer les corrections',
  saving: 'Enregistrement…',
  saved: (n: number): string =>
    n === 0 ? 'Aucun changement à enregistrer.' : `Corrections enregistrées${NNBSP}: les contrôles sont à jour.`,
  unsaved: (n: number) => (n === 1 ? '1 champ modifié, pas encore enregistré.' : `${n} champs modifiés, pas encore enregistrés.`),
  corrected: 'corrigé',
  confirm: 'Confirmer',
  confirmed: 'confirmé, à enregistrer',
  correctedTitle: (from: string, by: string) => `Lu${NNBSP}: ${from || '(vide)'} · corrigé par ${by}`,
  conflict:
    'Quelqu’un d’autre a enregistré cette facture pendant que vous la corrigiez. Rien n’a été enregistré et vos saisies sont conservées ci-dessous. Chargez la dernière version pour les comparer, puis enregistrez à nouveau.',
  reloadKeep: 'Charger la dernière version (garder mes saisies)',
  theirs: (value: string) => `Modifié entre-temps par quelqu’un d’autre${NNBSP}: ${value || '(vide)'}`,
  fixErrors: `Certains champs ne sont pas valides${NNBSP}: corrigez-les avant d’enregistrer.`,
  other: 'Autres champs',
  row: (n: number) => `Ligne ${n}`,
  vatRow: (n: number) => `Taux ${n}`,
  labels: {
    'BT-35': 'Adresse',
    'BT-38': 'Code postal',
    'BT-37': 'Ville',
    'BT-40': 'Pays (FR, DE…)',
    'BT-50': 'Adresse',
    'BT-53': 'Code postal',
    'BT-52': 'Ville',
    'BT-55': 'Pays (FR, DE…)',
  } as Record<string, string>,
  placeholders: { date: 'jj/mm/aaaa', amount: '1 234,56', number: '12,5' },
  errors: {
    INVALID_AMOUNT: 'Montant invalide (ex. 1 234,56, deux décimales au plus).',
    INVALID_DECIMAL: 'Nombre invalide (ex. 12,5).',
    INVALID_DATE: 'Date invalide (jj/mm/aaaa).',
    INVALID_CURRENCY: 'Code devise ISO 4217 inconnu (EUR, USD…).',
    INVALID_COUNTRY: 'Code pays ISO 3166 inconnu (FR, DE…).',
    INVALID_VAT_CATEGORY: 'Catégorie de TVA inconnue.',
    INVALID_CODE: 'Code invalide.',
    INVALID_VAT_NUMBER: 'N° de TVA invalide, ou sa clé ne correspond pas au SIREN.',
    INVALID_SIREN: 'SIREN invalide (clé de contrôle).',
    INVALID_SIRET: 'SIRET invalide (clé de contrôle).',
    INVALID_IBAN: 'IBAN invalide (clé de contrôle).',
    INVALID_TEXT: 'Texte invalide (caractères de contrôle ou trop long).',
    NOT_EDITABLE: `Cette facture est validée ou rejetée${NNBSP}: rouvrez-la pour la corriger.`,
    INVOICE_DELETED: `Cette facture est supprimée${NNBSP}: restaurez-la pour la corriger.`,
  } as Record<string, string>,
  review: {
    approve: 'Valider',
    reopen: 'Rouvrir',
    reject: 'Rejeter',
    rejectReason: 'Motif du rejet',
    delete: 'Supprimer',
    deleted: (at: string) => `Facture supprimée le ${at}. Elle reste restaurable jusqu’à la purge.`,
    justDeleted: 'Facture supprimée.',
    undo: 'Annuler',
    restore: 'Restaurer',
  },
};

export type FieldWords = typeof fr;

const en: FieldWords = {
  edit: 'Correct',
  editHint: 'Correct the fields as read. The original reading is kept.',
  cancel: 'Cancel',
  save: 'Save corrections',
  saving: 'Saving…',
  saved: (n: number) => (n === 0 ? 'Nothing to save.' : 'Corrections saved: the checks are up to date.'),
  unsaved: (n: number) => (n === 1 ? '1 field changed, not saved yet.' : `${n} fields changed, not saved yet.`),
  corrected: 'corrected',
  confirm: 'Confirm',
  confirmed: 'confirmed, to be saved',
  correctedTitle: (from: string, by: string) => `Read: ${from || '(empty)'} · corrected by ${by}`,
  conflict:
    'Someone else saved this invoice while you were correcting it. Nothing was saved and your input is kept below. Load the latest version to compare, then save again.',
  reloadKeep: 'Load the latest version (keep my input)',
  theirs: (value: string) => `Changed meanwhile by someone else: ${value || '(empty)'}`,
  fixErrors: 'Some fields are not valid: fix them before saving.',
  other: 'Other fields',
  row: (n: number) => `Line ${n}`,
  vatRow: (n: number) => `Rate ${n}`,
  labels: {
    'BT-35': 'Address',
    'BT-38': 'Post code',
    'BT-37': 'City',
    'BT-40': 'Country (FR, DE…)',
    'BT-50': 'Address',
    'BT-53': 'Post code',
    'BT-52': 'City',
    'BT-55': 'Country (FR, DE…)',
  },
  placeholders: { date: 'yyyy-mm-dd', amount: '1234.56', number: '12.5' },
  errors: {
    INVALID_AMOUNT: 'Not an amount (e.g. 1234.56, two decimals at most).',
    INVALID_DECIMAL: 'Not a number (e.g. 12.5).',
    INVALID_DATE: 'Not a date (yyyy-mm-dd or dd/mm/yyyy).',
    INVALID_CURRENCY: 'Unknown ISO 4217 currency code (EUR, USD…).',
    INVALID_COUNTRY: 'Unknown ISO 3166 country code (FR, DE…).',
    INVALID_VAT_CATEGORY: 'Unknown VAT category.',
    INVALID_CODE: 'Not a code.',
    INVALID_VAT_NUMBER: 'Not a VAT number, or its key does not match the SIREN.',
    INVALID_SIREN: 'Invalid SIREN (check digit).',
    INVALID_SIRET: 'Invalid SIRET (check digit).',
    INVALID_IBAN: 'Invalid IBAN (check digits).',
    INVALID_TEXT: 'Invalid text (control characters, or too long).',
    NOT_EDITABLE: 'This invoice is approved or rejected: reopen it to correct it.',
    INVOICE_DELETED: 'This invoice is deleted: restore it to correct it.',
  },
  review: {
    approve: 'Approve',
    reopen: 'Reopen',
    reject: 'Reject',
    rejectReason: 'Reason for rejecting',
    delete: 'Delete',
    deleted: (at: string) => `Invoice deleted on ${at}. It can be restored until it is purged.`,
    justDeleted: 'Invoice deleted.',
    undo: 'Undo',
    restore: 'Restore',
  },
};

export function fieldWords(locale: Locale): FieldWords {
  return locale === 'en' ? en : fr;
}
