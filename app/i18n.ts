// The interface's words, in French (the default) and English, and the locale's number, money and
// date formats. French typography: « » with narrow no-break spaces inside, a narrow no-break space
// before : ; ! ?, the typographic apostrophe. Shared by server and client components.
import type { InvoiceSourceKind, ReviewState } from '../src/invoices/views.ts';

export type Locale = 'fr' | 'en';
export type Status = 'pending' | 'processing' | 'completed' | 'failed';
export type { InvoiceSourceKind };

/** The first of the browser's languages (Accept-Language, by weight) that the interface speaks; French otherwise. */
export function pickLocale(acceptLanguage: string | null | undefined): Locale {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { language: tag.toLowerCase().split('-')[0]!, weight: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { language } of wanted) if (language === 'fr' || language === 'en') return language;
  return 'fr';
}

const NNBSP = '\u202f';

const fr = {
  tag: 'fr-FR',
  nav: { inbox: 'Factures', queue: 'File de traitement', label: 'Navigation principale' },
  status: { pending: 'en attente', processing: 'en cours', completed: 'terminée', failed: 'échec' } satisfies Record<Status, string>,
  sending: 'envoi',
  refused: 'refusée',
  source: {
    upload: 'Envoi',
    api: 'API',
    cli: 'Ligne de commande',
    folder: 'Dossier',
    mailbox: 'E-mail',
    webhook: 'E-mail (webhook)',
  } satisfies Record<InvoiceSourceKind, string>,
  inbox: {
    title: 'Factures reçues',
    intro: `Déposez vos factures (Factur-X, CII, UBL, PDF, images)${NNBSP}: elles sont traitées en arrière-plan. Vous pouvez fermer la page et revenir plus tard.`,
    drop: 'Glissez vos factures ici',
    dropHint: 'PDF, XML, PNG, JPEG, TIFF ou WebP, plusieurs à la fois',
    pick: 'Choisir des fichiers',
    filter: 'Statut',
    all: 'Tous',
    sourceFilter: 'Provenance',
    allSources: 'Toutes',
    search: 'Rechercher un fournisseur ou un numéro',
    file: 'Fichier',
    statusColumn: 'Statut',
    seller: 'Fournisseur',
    number: 'Numéro',
    date: 'Date',
    total: 'Total TTC',
    actions: 'Actions',
    empty: 'Aucune facture pour l’instant.',
    noMatch: 'Aucune facture ne correspond.',
    previous: '‹ Précédente',
    next: 'Suivante ›',
    page: (n: number) => `Page ${n}`,
    received: (n: number) => (n === 1 ? '1 fichier reçu.' : `${n} fichiers reçus.`),
    attempt: (n: number, max: number) => `essai ${n}/${max}`,
    retry: 'Relancer',
    dismiss: (name: string) => `Retirer ${name} de la liste`,
    retryLabel: (name: string) => `Relancer le traitement de ${name}`,
    live: 'Mise à jour en direct',
    slow: 'Mise à jour toutes les 30 s',
  },
  origin: {
    title: 'Provenance',
    mailbox: 'boîte',
    provider: 'service',
    folder: 'dossier',
    from: 'de',
    subject: 'objet',
    date: 'envoyé le',
  },
  review: {
    back: 'Retour aux factures',
    title: (number: string | undefined, file: string) => (number ? `Facture ${number}` : file),
    document: 'Document d’origine',
    download: 'Télécharger l’original',
    noPreview: 'Aperçu indisponible pour ce type de fichier.',
    page: (n: number, total: number) => `Page ${n} sur ${total}`,
    morePages: (n: number) => (n === 1 ? 'Une page de plus dans l’original.' : `${n} pages de plus dans l’original.`),
    pdfFailed: 'Ce PDF ne peut pas être affiché ; téléchargez l’original.',
    loading: 'Chargement…',
    notFound: 'Cette facture n’existe pas.',
    waiting: 'Les champs apparaîtront une fois le traitement terminé.',
    seller: 'Fournisseur',
    buyer: 'Client',
    document_: 'Facture',
    payment: 'Paiement',
    totals: 'Montants',
    vat: 'Ventilation de la TVA',
    lines: 'Lignes',
    findings: 'Contrôles',
    noFindings: 'Aucune anomalie détectée.',
    error: 'Erreur',
    warning: 'Avertissement',
    lowConfidence: 'À vérifier (lecture incertaine)',
    history: 'Historique des essais',
    noHistory: 'Aucun essai pour l’instant.',
    attemptNo: 'Essai',
    started: 'Début',
    duration: 'Durée',
    outcome: 'Résultat',
    reason: 'Motif',
    outcomes: {
      completed: 'terminé',
      failed: 'échec',
      retried: 'échec, relancé',
      reaped: 'interrompu',
      released: 'rendu à la file',
    } as Record<string, string>,
    actions: 'Actions',
    reprocess: 'Retraiter',
    priority: 'Priorité',
    priorities: { '-10': 'basse', '0': 'normale', '10': 'haute', '100': 'urgente' } as Record<string, string>,
    setPriority: 'Changer la priorité',
    priorityHint: 'La priorité ne change que pour une facture en attente.',
    downloadJson: 'Télécharger le JSON normalisé',
    downloadCsv: 'Exporter en CSV',
    rate: 'Taux',
    base: 'Base HT',
    amount: 'Montant',
    category: 'Catégorie',
    item: 'Désignation',
    quantity: 'Quantité',
    unitPrice: 'Prix unitaire HT',
    lineTotal: 'Montant HT',
    lineNo: 'N°',
  },
  terms: {
    'BT-1': 'Numéro',
    'BT-2': 'Date d’émission',
    'BT-3': 'Type',
    'BT-5': 'Devise',
    'BT-9': 'Échéance',
    'BT-10': 'Référence acheteur',
    'BT-13': 'Bon de commande',
    'BT-20': 'Conditions de paiement',
    'BT-27': 'Raison sociale',
    'BT-30': 'SIREN',
    'BT-31': 'N° de TVA',
    'BT-34': 'Adresse électronique',
    'BT-44': 'Raison sociale',
    'BT-47': 'SIREN',
    'BT-48': 'N° de TVA',
    'BT-49': 'Adresse électronique',
    address: 'Adresse',
    'BT-81': 'Moyen de paiement',
    'BT-84': 'IBAN',
    'BT-86': 'BIC',
    'BT-72': 'Date de livraison',
    'BT-106': 'Total des lignes HT',
    'BT-107': 'Remises',
    'BT-108': 'Frais',
    'BT-109': 'Total HT',
    'BT-110': 'TVA',
    'BT-112': 'Total TTC',
    'BT-113': 'Déjà payé',
    'BT-115': 'Net à payer',
  } as Record<string, string>,
  typeCodes: {
    '380': 'facture',
    '381': 'avoir',
    '384': 'facture rectificative',
    '386': 'facture d’acompte',
    '389': 'autofacture',
  } as Record<string, string>,
  reviewStates: { to_review: 'à vérifier', ready: 'prête', approved: 'validée', rejected: 'rejetée' } satisfies Record<ReviewState, string>,
  documentKinds: { invoice: 'Facture', credit_note: 'Avoir', corrected: 'Facture rectificative' } as Record<string, string>,
  unknownCurrency: 'devise inconnue',
  worklist: {
    reviewFilter: 'À faire',
    allReviews: 'Toutes',
    supplier: 'Fournisseur',
    from: 'Date du',
    to: 'au',
    type: 'Type',
    checks: 'Contrôles',
    errors: (n: number) => (n === 1 ? '1 erreur' : `${n} erreurs`),
    warnings: (n: number) => (n === 1 ? '1 avertissement' : `${n} avertissements`),
    noChecks: 'aucune anomalie',
    select: (name: string) => `Sélectionner ${name}`,
    selectAll: 'Tout sélectionner',
    selected: (n: number) => (n === 1 ? '1 facture sélectionnée' : `${n} factures sélectionnées`),
    approve: 'Valider',
    reject: 'Rejeter',
    rejectReason: 'Motif du rejet',
    confirmReject: 'Confirmer le rejet',
    cancel: 'Annuler',
    export: 'Exporter',
    remove: 'Supprimer',
    done: (verb: string, n: number, failed: number) =>
      `${verb}${NNBSP}: ${n === 1 ? '1 facture' : `${n} factures`}${failed > 0 ? `, ${failed} refusée${failed > 1 ? 's' : ''} (déjà décidée ou modifiée entre-temps)` : ''}.`,
    approved: 'Validées',
    rejected: 'Rejetées',
    removed: 'Supprimées',
    removeUnavailable: 'La suppression n’est pas encore disponible sur ce serveur.',
    duplicate: {
      file: 'Fichier déjà reçu',
      number: 'Même fournisseur et même numéro',
      date_total: 'Même fournisseur, date et montant',
    } as Record<string, string>,
    duplicateOf: 'voir l’original',
    queued: 'en attente de traitement',
    processing: 'en cours de lecture',
    failed: 'lecture en échec',
    retrying: 'nouvel essai prévu',
    dropped: (total: number, received: number) =>
      received === total
        ? total === 1
          ? '1 fichier reçu.'
          : `${total} fichiers reçus.`
        : `${total} fichiers déposés${NNBSP}: ${received} reçu${received > 1 ? 's' : ''}, ${total - received} refusé${total - received > 1 ? 's' : ''} (motif sur chaque ligne).`,
    reupload: 'Déjà reçu',
    retried: (name: string) => `${name}${NNBSP}: relancée, de nouveau en file d’attente.`,
    retryOutcome: (name: string, completed: boolean) =>
      completed
        ? `${name}${NNBSP}: relance réussie, la facture est lue.`
        : `${name}${NNBSP}: la relance a de nouveau échoué (motif sur la ligne).`,
    retryRefused: 'Relance refusée',
    keyboard: 'Raccourcis : j / k facture suivante / précédente, a valider, Entrée ouvrir',
    reasons: {
      ERRORS: 'erreurs',
      LOW_CONFIDENCE: 'lecture incertaine',
      UNKNOWN_CURRENCY: 'devise inconnue',
      DUPLICATE: 'doublon probable',
      PRE_REVIEW: 'lue avant la vérification',
    } as Record<string, string>,
    reviewedBy: (who: string, when: string) => `par ${who}, ${when}`,
    rule: 'règle',
  },
  queue: {
    title: 'File de traitement',
    counts: 'Factures par statut',
    countLabels: { pending: 'en attente', processing: 'en cours', completed: 'terminées', failed: 'en échec' } satisfies Record<
      Status,
      string
    >,
    scheduled: (n: number) => `dont ${n} en attente de nouvel essai`,
    median: 'Durée médiane',
    p95: 'Durée au 95ᵉ centile',
    oldest: 'Plus ancienne en attente',
    lastMinute: 'Terminées dans la dernière minute',
    range: 'Période',
    hour: 'Dernière heure',
    day: 'Dernières 24 h',
    throughput: 'Factures traitées',
    failures: 'Échecs',
    perMinute: 'par minute',
    perHalfHour: 'par demi-heure',
    failedList: 'Factures en échec',
    noFailed: 'Aucune facture en échec.',
    retryAll: 'Tout relancer',
    retried: (n: number) => (n === 1 ? '1 facture relancée.' : `${n} factures relancées.`),
    workers: 'Processus de traitement vus récemment',
    noWorkers: 'Aucun processus vu depuis 15 minutes.',
    scope: { machine: 'Toute la machine, toutes organisations confondues', owner: 'Les factures de votre organisation' },
    worker: 'Processus',
    lastSeen: 'Vu',
    running: 'En cours',
    completed: 'Terminés',
    none: '—',
  },
  reasons: {
    FILE_UNREADABLE: 'Le fichier n’a pas pu être lu.',
    EMPTY_FILE: 'Le fichier est vide.',
    FILE_TOO_LARGE: 'Le fichier est trop volumineux.',
    BODY_TOO_LARGE: 'L’envoi est trop volumineux.',
    UNSUPPORTED_FORMAT: 'Ce type de fichier n’est pas une facture que Facteur sait lire.',
    UNSUPPORTED_MEDIA_TYPE: 'Ce type de fichier n’est pas une facture que Facteur sait lire.',
    NOT_AN_INVOICE: 'Ce document XML n’est pas une facture (une commande, un autre format…).',
    XML_DOCTYPE_FORBIDDEN: 'Le fichier XML contient une déclaration DOCTYPE, refusée par sécurité.',
    XML_MALFORMED: 'Le fichier XML est mal formé.',
    XML_TOO_DEEP: 'Le fichier XML est imbriqué trop profondément.',
    XML_ENCODING_UNSUPPORTED: 'L’encodage du fichier XML n’est pas pris en charge.',
    CORRUPT_PDF: 'Le PDF est endommagé ou incomplet.',
    PDF_ENCRYPTED: 'Le PDF est protégé par un mot de passe.',
    PDF_TOO_MANY_PAGES: 'Le PDF a trop de pages.',
    VISUAL_PATH_UNAVAILABLE: 'La lecture de ce type de document n’est pas encore disponible.',
    CORRUPT_IMAGE: 'L’image est endommagée.',
    IMAGE_TOO_LARGE: 'L’image est trop grande.',
    EXTRACTION_OUT_OF_MEMORY: 'La lecture du document a demandé trop de mémoire.',
    EXTRACTION_TIMEOUT: 'La lecture du document a pris trop de temps.',
    JOB_TIMEOUT: 'Le traitement a pris trop de temps.',
    LEASE_EXPIRED: 'Le traitement a été interrompu (le processus s’est arrêté).',
    fallback: 'Le traitement a échoué.',
    network: 'Le serveur ne répond pas. Réessayez dans un instant.',
  } as Record<string, string>,
};

export type Messages = typeof fr;

const en: Messages = {
  tag: 'en-GB',
  nav: { inbox: 'Invoices', queue: 'Processing queue', label: 'Main navigation' },
  status: { pending: 'pending', processing: 'processing', completed: 'done', failed: 'failed' },
  sending: 'uploading',
  refused: 'refused',
  source: {
    upload: 'Upload',
    api: 'API',
    cli: 'Command line',
    folder: 'Folder',
    mailbox: 'E-mail',
    webhook: 'E-mail (webhook)',
  },
  inbox: {
    title: 'Invoices received',
    intro:
      'Drop your invoices (Factur-X, CII, UBL, PDF, images): they are processed in the background. You can close the page and come back later.',
    drop: 'Drop your invoices here',
    dropHint: 'PDF, XML, PNG, JPEG, TIFF or WebP, several at once',
    pick: 'Choose files',
    filter: 'Status',
    all: 'All',
    sourceFilter: 'Source',
    allSources: 'All',
    search: 'Search a supplier or a number',
    file: 'File',
    statusColumn: 'Status',
    seller: 'Supplier',
    number: 'Number',
    date: 'Date',
    total: 'Total incl. VAT',
    actions: 'Actions',
    empty: 'No invoices yet.',
    noMatch: 'No invoice matches.',
    previous: '‹ Previous',
    next: 'Next ›',
    page: (n: number) => `Page ${n}`,
    received: (n: number) => (n === 1 ? '1 file received.' : `${n} files received.`),
    attempt: (n: number, max: number) => `attempt ${n}/${max}`,
    retry: 'Retry',
    dismiss: (name: string) => `Remove ${name} from the list`,
    retryLabel: (name: string) => `Retry processing ${name}`,
    live: 'Live updates',
    slow: 'Updating every 30 s',
  },
  origin: {
    title: 'Source',
    mailbox: 'mailbox',
    provider: 'provider',
    folder: 'folder',
    from: 'from',
    subject: 'subject',
    date: 'sent',
  },
  review: {
    back: 'Back to invoices',
    title: (number: string | undefined, file: string) => (number ? `Invoice ${number}` : file),
    document: 'Original document',
    download: 'Download the original',
    noPreview: 'No preview for this kind of file.',
    page: (n: number, total: number) => `Page ${n} of ${total}`,
    morePages: (n: number) => (n === 1 ? 'One more page in the original.' : `${n} more pages in the original.`),
    pdfFailed: 'This PDF cannot be shown; download the original.',
    loading: 'Loading…',
    notFound: 'This invoice does not exist.',
    waiting: 'The fields will appear once processing is done.',
    seller: 'Supplier',
    buyer: 'Customer',
    document_: 'Invoice',
    payment: 'Payment',
    totals: 'Amounts',
    vat: 'VAT breakdown',
    lines: 'Lines',
    findings: 'Checks',
    noFindings: 'No issues found.',
    error: 'Error',
    warning: 'Warning',
    lowConfidence: 'To check (uncertain reading)',
    history: 'Attempts',
    noHistory: 'No attempt yet.',
    attemptNo: 'Attempt',
    started: 'Started',
    duration: 'Duration',
    outcome: 'Outcome',
    reason: 'Reason',
    outcomes: { completed: 'done', failed: 'failed', retried: 'failed, retried', reaped: 'interrupted', released: 'returned to the queue' },
    actions: 'Actions',
    reprocess: 'Process again',
    priority: 'Priority',
    priorities: { '-10': 'low', '0': 'normal', '10': 'high', '100': 'urgent' },
    setPriority: 'Change priority',
    priorityHint: 'Only a pending invoice’s priority can change.',
    downloadJson: 'Download the normalised JSON',
    downloadCsv: 'Export as CSV',
    rate: 'Rate',
    base: 'Taxable amount',
    amount: 'Amount',
    category: 'Category',
    item: 'Item',
    quantity: 'Quantity',
    unitPrice: 'Unit price',
    lineTotal: 'Net amount',
    lineNo: 'No.',
  },
  terms: {
    'BT-1': 'Number',
    'BT-2': 'Issue date',
    'BT-3': 'Type',
    'BT-5': 'Currency',
    'BT-9': 'Due date',
    'BT-10': 'Buyer reference',
    'BT-13': 'Purchase order',
    'BT-20': 'Payment terms',
    'BT-27': 'Name',
    'BT-30': 'SIREN',
    'BT-31': 'VAT number',
    'BT-34': 'Electronic address',
    'BT-44': 'Name',
    'BT-47': 'SIREN',
    'BT-48': 'VAT number',
    'BT-49': 'Electronic address',
    address: 'Address',
    'BT-81': 'Payment means',
    'BT-84': 'IBAN',
    'BT-86': 'BIC',
    'BT-72': 'Delivery date',
    'BT-106': 'Sum of lines',
    'BT-107': 'Allowances',
    'BT-108': 'Charges',
    'BT-109': 'Total excl. VAT',
    'BT-110': 'VAT',
    'BT-112': 'Total incl. VAT',
    'BT-113': 'Paid',
    'BT-115': 'Amount due',
  },
  typeCodes: {
    '380': 'invoice',
    '381': 'credit note',
    '384': 'corrected invoice',
    '386': 'prepayment invoice',
    '389': 'self-billed invoice',
  },
  reviewStates: { to_review: 'to review', ready: 'ready', approved: 'approved', rejected: 'rejected' },
  documentKinds: { invoice: 'Invoice', credit_note: 'Credit note', corrected: 'Corrected invoice' },
  unknownCurrency: 'unknown currency',
  worklist: {
    reviewFilter: 'To do',
    allReviews: 'All',
    supplier: 'Supplier',
    from: 'Dated from',
    to: 'to',
    type: 'Type',
    checks: 'Checks',
    errors: (n: number) => (n === 1 ? '1 error' : `${n} errors`),
    warnings: (n: number) => (n === 1 ? '1 warning' : `${n} warnings`),
    noChecks: 'no issue',
    select: (name: string) => `Select ${name}`,
    selectAll: 'Select all',
    selected: (n: number) => (n === 1 ? '1 invoice selected' : `${n} invoices selected`),
    approve: 'Approve',
    reject: 'Reject',
    rejectReason: 'Reason for rejecting',
    confirmReject: 'Confirm rejection',
    cancel: 'Cancel',
    export: 'Export',
    remove: 'Delete',
    done: (verb: string, n: number, failed: number) =>
      `${verb}: ${n === 1 ? '1 invoice' : `${n} invoices`}${failed > 0 ? `, ${failed} refused (already decided or changed meanwhile)` : ''}.`,
    approved: 'Approved',
    rejected: 'Rejected',
    removed: 'Deleted',
    removeUnavailable: 'Deleting is not available on this server yet.',
    duplicate: { file: 'File already received', number: 'Same supplier and number', date_total: 'Same supplier, date and amount' },
    duplicateOf: 'see the original',
    queued: 'waiting to be read',
    processing: 'being read',
    failed: 'reading failed',
    retrying: 'another try planned',
    dropped: (total: number, received: number) =>
      received === total
        ? total === 1
          ? '1 file received.'
          : `${total} files received.`
        : `${total} files dropped: ${received} received, ${total - received} refused (reason on each row).`,
    reupload: 'Already received',
    retried: (name: string) => `${name}: retried, queued again.`,
    retryOutcome: (name: string, completed: boolean) =>
      completed ? `${name}: the retry worked, the invoice is read.` : `${name}: the retry failed again (reason on the row).`,
    retryRefused: 'Retry refused',
    keyboard: 'Shortcuts: j / k next / previous invoice, a approve, Enter open',
    reasons: {
      ERRORS: 'errors',
      LOW_CONFIDENCE: 'uncertain reading',
      UNKNOWN_CURRENCY: 'unknown currency',
      DUPLICATE: 'probable duplicate',
      PRE_REVIEW: 'read before review existed',
    },
    reviewedBy: (who: string, when: string) => `by ${who}, ${when}`,
    rule: 'rule',
  },
  queue: {
    title: 'Processing queue',
    counts: 'Invoices by status',
    countLabels: { pending: 'pending', processing: 'processing', completed: 'done', failed: 'failed' },
    scheduled: (n: number) => `${n} waiting for a retry`,
    median: 'Median time',
    p95: '95th percentile time',
    oldest: 'Oldest pending',
    lastMinute: 'Done in the last minute',
    range: 'Period',
    hour: 'Last hour',
    day: 'Last 24 h',
    throughput: 'Invoices processed',
    failures: 'Failures',
    perMinute: 'per minute',
    perHalfHour: 'per half hour',
    failedList: 'Failed invoices',
    noFailed: 'No failed invoices.',
    retryAll: 'Retry all',
    retried: (n: number) => (n === 1 ? '1 invoice retried.' : `${n} invoices retried.`),
    workers: 'Workers seen recently',
    noWorkers: 'No worker seen in the last 15 minutes.',
    scope: { machine: 'The whole machine, every organisation', owner: 'Your organisation’s invoices' },
    worker: 'Worker',
    lastSeen: 'Seen',
    running: 'Running',
    completed: 'Done',
    none: '—',
  },
  reasons: {
    FILE_UNREADABLE: 'The file could not be read.',
    EMPTY_FILE: 'The file is empty.',
    FILE_TOO_LARGE: 'The file is too large.',
    BODY_TOO_LARGE: 'The upload is too large.',
    UNSUPPORTED_FORMAT: 'This kind of file is not an invoice Facteur can read.',
    UNSUPPORTED_MEDIA_TYPE: 'This kind of file is not an invoice Facteur can read.',
    NOT_AN_INVOICE: 'This XML document is not an invoice (an order, another format…).',
    XML_DOCTYPE_FORBIDDEN: 'The XML file has a DOCTYPE declaration, refused for safety.',
    XML_MALFORMED: 'The XML file is malformed.',
    XML_TOO_DEEP: 'The XML file is nested too deeply.',
    XML_ENCODING_UNSUPPORTED: 'The XML file’s encoding is not supported.',
    CORRUPT_PDF: 'The PDF is damaged or incomplete.',
    PDF_ENCRYPTED: 'The PDF is password-protected.',
    PDF_TOO_MANY_PAGES: 'The PDF has too many pages.',
    VISUAL_PATH_UNAVAILABLE: 'Reading this kind of document is not available yet.',
    CORRUPT_IMAGE: 'The image is damaged.',
    IMAGE_TOO_LARGE: 'The image is too large.',
    EXTRACTION_OUT_OF_MEMORY: 'Reading the document needed too much memory.',
    EXTRACTION_TIMEOUT: 'Reading the document took too long.',
    JOB_TIMEOUT: 'Processing took too long.',
    LEASE_EXPIRED: 'Processing was interrupted (its worker stopped).',
    fallback: 'Processing failed.',
    network: 'The server does not answer. Try again in a moment.',
  },
};

export function messages(locale: Locale): Messages {
  return locale === 'en' ? en : fr;
}

/** A failure in the reader's words: the code's sentence, or the raw message when the code is unknown. */
export function reasonOf(t: Messages, code: string | null | undefined, message: string | null | undefined): string {
  const known = code ? t.reasons[code] : undefined;
  if (known) return known;
  return message ? `${t.reasons.fallback} (${message})` : t.reasons.fallback!;
}

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/**
 * « 1 234,56 € » in French, « €1,234.56 » in English, in the document's currency, never assumed:
 * without a currency Intl knows, the number and « devise inconnue ». The decimal string as is when
 * it is not a number. Give a credit note's amount through `displayedAmount` (src/invoices/amounts.ts).
 */
export function formatMoney(t: Messages, amount: string | undefined, currency: string | undefined): string {
  if (amount === undefined) return '';
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  if (currency === undefined || !KNOWN_CURRENCIES.has(currency)) {
    return `${new Intl.NumberFormat(t.tag, { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(value)} (${t.unknownCurrency}${currency ? ` ${currency}` : ''})`;
  }
  return new Intl.NumberFormat(t.tag, { style: 'currency', currency }).format(value);
}

export function formatNumber(t: Messages, value: string | number | undefined, options: Intl.NumberFormatOptions = {}): string {
  if (value === undefined) return '';
  const number = Number(value);
  return Number.isFinite(number) ? new Intl.NumberFormat(t.tag, { maximumFractionDigits: 4, ...options }).format(number) : String(value);
}

/** An invoice date (YYYY-MM-DD, no time zone) as the locale writes it. */
export function formatDate(t: Messages, date: string | undefined): string {
  if (!date) return '';
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : new Intl.DateTimeFormat(t.tag, { dateStyle: 'medium', timeZone: 'UTC' }).format(parsed);
}

export function formatDateTime(t: Messages, iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(t.tag, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

/** 37 ms · 1,2 s · 3 min 5 s · 2 h 10 min */
export function formatDuration(t: Messages, ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const unit = (value: number, name: string, digits = 0) =>
    new Intl.NumberFormat(t.tag, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
  if (ms < 1_000) return unit(Math.round(ms), 'millisecond');
  if (ms < 60_000) return unit(ms / 1_000, 'second', 1);
  if (ms < 3_600_000) return `${unit(Math.floor(ms / 60_000), 'minute')} ${unit(Math.floor((ms % 60_000) / 1_000), 'second')}`;
  return `${unit(Math.floor(ms / 3_600_000), 'hour')} ${unit(Math.floor((ms % 3_600_000) / 60_000), 'minute')}`;
}

export function formatSize(t: Messages, bytes: number): string {
  if (bytes < 1_000) return new Intl.NumberFormat(t.tag, { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(bytes);
  if (bytes < 1_000_000)
    return new Intl.NumberFormat(t.tag, { style: 'unit', unit: 'kilobyte', unitDisplay: 'short', maximumFractionDigits: 0 }).format(
      bytes / 1_000,
    );
  return new Intl.NumberFormat(t.tag, { style: 'unit', unit: 'megabyte', unitDisplay: 'short', maximumFractionDigits: 1 }).format(
    bytes / 1_000_000,
  );
}
