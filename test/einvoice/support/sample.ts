// A French invoice under the 2026 reform, consistent to the cent, used as the base fixture: every
// EN 16931 total and VAT rule holds, the SIREN, VAT number and IBAN have valid check digits.
import type { InvoiceContent } from './writer.ts';

export function sampleInvoice(): InvoiceContent {
  return {
    fields: {
      'BT-1': 'F2026-0042',
      'BT-2': '2026-09-15',
      'BT-3': '380',
      'BT-5': 'EUR',
      'BT-9': '2026-10-15',
      'BT-10': 'SERVICE ACHATS',
      'BT-13': 'PO-7788',
      'BT-20': 'Paiement à 30 jours',
      'BT-22': 'Commande du 1er septembre 2026',
      'BT-23': 'S1',
      'BT-24': 'urn:cen.eu:en16931:2017',
      'BT-27': 'ATELIER DU FACTEUR SAS',
      'BT-30': '123456782',
      'BT-31': 'FR11123456782',
      'BT-34': 'factures@atelier.example',
      'BT-35': '12 rue des Postes',
      'BT-37': 'Lyon',
      'BT-38': '69002',
      'BT-40': 'FR',
      'BT-44': 'MAISON CLIENTE SARL',
      'BT-47': '732829320',
      'BT-48': 'FR44732829320',
      'BT-49': 'compta@cliente.example',
      'BT-50': '5 avenue du Port',
      'BT-52': 'Marseille',
      'BT-53': '13002',
      'BT-55': 'FR',
      'BT-72': '2026-09-10',
      'BT-81': '58',
      'BT-84': 'FR7630006000011234567890189',
      'BT-86': 'AGRIFRPP',
      'BT-106': '1260.00',
      'BT-107': '50.00',
      'BT-108': '10.00',
      'BT-109': '1220.00',
      'BT-110': '235.30',
      'BT-112': '1455.30',
      'BT-115': '1455.30',
    },
    notes: [
      { 'BT-22': 'Commande du 1er septembre 2026' },
      { 'BT-21': 'PMT', 'BT-22': 'Indemnité forfaitaire pour frais de recouvrement : 40 €' },
      { 'BT-21': 'PMD', 'BT-22': "Pénalités de retard : 3 fois le taux d'intérêt légal" },
      { 'BT-21': 'AAB', 'BT-22': "Pas d'escompte pour paiement anticipé" },
    ],
    allowances: [{ 'BT-92': '50.00', 'BT-95': 'S', 'BT-96': '20.00', 'BT-97': 'Remise fidélité', 'BT-98': '95' }],
    charges: [{ 'BT-99': '10.00', 'BT-102': 'S', 'BT-103': '20.00', 'BT-104': 'Frais de port', 'BT-105': 'FC' }],
    vatBreakdown: [
      { 'BT-116': '1160.00', 'BT-117': '232.00', 'BT-118': 'S', 'BT-119': '20.00' },
      { 'BT-116': '60.00', 'BT-117': '3.30', 'BT-118': 'S', 'BT-119': '5.50' },
    ],
    lines: [
      {
        'BT-126': '1',
        'BT-129': '2',
        'BT-130': 'DAY',
        'BT-131': '900.00',
        'BT-146': '450.00',
        'BT-151': 'S',
        'BT-152': '20.00',
        'BT-153': 'Conseil (jour)',
      },
      {
        'BT-126': '2',
        'BT-129': '1',
        'BT-130': 'C62',
        'BT-131': '300.00',
        'BT-146': '300.00',
        'BT-151': 'S',
        'BT-152': '20.00',
        'BT-153': 'Formation',
      },
      {
        'BT-126': '3',
        'BT-129': '3',
        'BT-130': 'C62',
        'BT-131': '60.00',
        'BT-146': '20.00',
        'BT-151': 'S',
        'BT-152': '5.50',
        'BT-153': 'Livre',
      },
    ],
  };
}

/** The sample with its total with VAT off by a cent: BR-CO-15 fails, and only it. */
export function sampleWithWrongTotal(): InvoiceContent {
  const invoice = sampleInvoice();
  invoice.fields['BT-112'] = (Number(invoice.fields['BT-112']) + 0.01).toFixed(2);
  return invoice;
}
