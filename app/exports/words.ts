// The export page's words, French first. Kept beside the page (not in app/i18n.ts) so the page
// can change without touching the shared dictionary.
import type { Locale } from '../i18n.ts';

const fr = {
  nav: 'Exports',
  title: 'Exporter les factures',
  lead: 'Les factures d’une période dans un fichier que le tableur ou le logiciel comptable prend tel quel. Les avoirs sont en négatif.',
  from: 'Du',
  to: 'Au',
  date: 'Période selon',
  dates: { invoice: 'la date de facture', received: 'la date de réception' },
  review: 'Factures',
  states: { approved: 'approuvées', ready: 'prêtes', to_review: 'à vérifier', rejected: 'rejetées' },
  supplier: 'Fournisseurs (n° TVA, SIREN ou nom, séparés par des virgules)',
  supplierHint: 'Vide : tous les fournisseurs.',
  format: 'Format',
  formats: {
    'csv-fr': 'CSV pour Excel en français (;)',
    'csv-en': 'CSV en anglais (,)',
    xlsx: 'Classeur Excel (.xlsx)',
    fec: 'Journal des achats au format FEC',
    json: 'JSON (factures normalisées)',
  },
  download: 'Télécharger',
  settings: 'Comptes et code journal du FEC : `facteur export-settings` (voir le README, « Exports »).',
};

const en: typeof fr = {
  nav: 'Exports',
  title: 'Export invoices',
  lead: 'A period’s invoices in a file a spreadsheet or accounting software takes as is. Credit notes are negative.',
  from: 'From',
  to: 'To',
  date: 'Period by',
  dates: { invoice: 'invoice date', received: 'received date' },
  review: 'Invoices',
  states: { approved: 'approved', ready: 'ready', to_review: 'to review', rejected: 'rejected' },
  supplier: 'Suppliers (VAT number, SIREN or name, comma-separated)',
  supplierHint: 'Empty: every supplier.',
  format: 'Format',
  formats: {
    'csv-fr': 'CSV for French Excel (;)',
    'csv-en': 'CSV in English (,)',
    xlsx: 'Excel workbook (.xlsx)',
    fec: 'Purchase journal in the FEC layout',
    json: 'JSON (normalised invoices)',
  },
  download: 'Download',
  settings: 'FEC accounts and journal code: `facteur export-settings` (see the README, “Exports”).',
};

export const exportWords = (locale: Locale) => (locale === 'fr' ? fr : en);
