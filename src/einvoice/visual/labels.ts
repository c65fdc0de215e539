// What invoices print before their values, in French, English and German (and the commoner
// labels of Dutch, Italian and Spanish invoices), as data: one table of
// label patterns for the field finder, one of section headings that say whose block follows.
// Patterns are matched against folded text (lower case, no accents: see `fold`). Where two labels
// overlap on a line the longer one wins, so "date d'échéance" is never read as "date", and labels
// of terms Facteur does not report ("date de livraison", "n° de client") are listed to block them.

/** The terms the finder looks for by label, and `other` for labels that only block shorter ones. */
export type LabelledTerm =
  | 'BT-1'
  | 'BT-2'
  | 'BT-9'
  | 'BT-27'
  | 'BT-30'
  | 'BT-44'
  | 'BT-106'
  | 'BT-109'
  | 'BT-110'
  | 'BT-112'
  | 'BT-115'
  | 'other';

export interface LabelRule {
  readonly term: LabelledTerm;
  readonly pattern: RegExp;
  /** How sure a value next to this label is the term: 1 for an unambiguous label. */
  readonly weight: number;
  /** A label too common to stand alone ("vom", "du"): it counts only after this term's label on its line. */
  readonly after?: LabelledTerm;
}

const rule = (term: LabelledTerm, weight: number, ...patterns: RegExp[]): LabelRule[] =>
  patterns.map((pattern) => ({ term, pattern, weight }));
const ruleAfter = (after: LabelledTerm, term: LabelledTerm, weight: number, ...patterns: RegExp[]): LabelRule[] =>
  patterns.map((pattern) => ({ term, pattern, weight, after }));

/**
 * A German compound label that some PDFs print with kerning wide enough for pdfjs to see a space
 * inside it ("Br uttosumme", "Zahlbetr ag"): any one letter may be followed by a space.
 */
const compound = (...words: string[]) => words.map((w) => [...w].join(' ?')).join('|');

// What may follow a total's label before its value: the currency, and a short remark in brackets
// that belongs to the label ("Rechnungssumme Netto (excl. USt.)", "Total (HT)"), not a bracketed
// amount.
// Titles of the documents the finder reads (folded), in fr, en, de, nl, it, es.
const CORRECTIVE_WORDS =
  /facture\s+rectificative|rechnungs?korrektur|korrekturrechnung|correct(?:ed|ive)\s+invoice|factura\s+rectificativa|fattura\s+(?:di\s+)?rettifica/
    .source;
const CREDIT_NOTE_WORDS =
  /avoir|facture\s+d'avoir|note\s+de\s+credit|credit\s*note|gutschrift|stornorechnung|creditnota|credit\s*nota|creditfactuur|nota\s+di\s+credito|nota\s+de\s+credito|factura\s+de\s+abono/
    .source;
// Swedish, Danish, Norwegian and Polish "faktura", Portuguese "fatura", Polish "rachunek", a receipt.
const INVOICE_WORDS = /facture|(?:tax\s+)?invoice|\w*rechnung|factuur|fattura|factura|faktura|fatura|rachunek|receipt/.source;
const DOCUMENT_WORDS = `${CORRECTIVE_WORDS}|${CREDIT_NOTE_WORDS}|${INVOICE_WORDS}`;
// What says "number" after a title: « n° », « No. », « Nr. », « Nummer », « número », « #», and
// « n. » where a number follows it or it ends its cell (the number printed below).
const NUMBER_WORD = /n\.?\s?[°o˚º]|no\b\.?|nr\b\.?|n\.(?=\s*$|\s{3}|\s*[:#]?\s*[a-z]{0,3}[-/]?\d)|num(?:ero|ber)?\b\.?|nummer\b|#/.source;

const AMOUNT_SUFFIX = /(?:\s*\(?(?:eur|€|usd|\$|gbp|£|chf)\)?)?(?:\s*\((?![^)]*\d[.,]\d\d)[^()]{1,25}\))?/.source;
const amountLabel = (source: string) => new RegExp(`${source}${AMOUNT_SUFFIX}`);

export const LABELS: readonly LabelRule[] = [
  // BT-1 Invoice number
  ...rule(
    'BT-1',
    1,
    // "Facture n°", "Rechnungskorrektur Nr.", "Credit note number", "Avoir (381) n°"
    new RegExp(`\\b(?:${DOCUMENT_WORDS})\\)?\\s*(?:\\(\\d+\\)\\s*)?(?:${NUMBER_WORD})`),
    /\bn\s?[°o˚º]\.?\s*(?:de\s+)?(?:la\s+)?(?:facture|l'avoir|avoir)\b/,
    /\bnumero\s+(?:de\s+)?(?:la\s+)?(?:facture|factura|fattura|factuur)\b/,
    /\b(?:n\.?\s?[°º]|n\.)\s*(?:de\s+)?(?:factura|fattura)\b/,
    /\bfactuur\s*-?\s*(?:nummer|nr\b\.?)/,
    /\bfaktura\s*-?\s*(?:nummer|nr\b\.?)|\bnumer\s+faktury\b/,
    /\b(?:handels|schluss|teil|abschlags)?rechnungs?\s*-?\s*(?:nummer|nr\b\.?|no\b\.?)/,
    /\bgutschrifts?\s*-?\s*(?:nummer|nr\b\.?)/,
    /\bbeleg\s*-?\s*(?:nummer|nr\b\.?)/,
    // "Rechnung des Versicherers (575) Nr.": the FeRD layout names the type code before the number.
    // The words between are of one cell: "Facturé à   N° de facture" is two labels.
    /\b(?:\w*rechnung|gutschrift|facture|invoice)\b(?: [a-z]+){0,3}(?: ?\(\d{3}\)\s*| ?)(?:nr|no|n ?°)\.?/,
    /\binvoice\s+(?:id|ref(?:erence)?)\b/,
  ),
  ...rule('BT-1', 0.6, new RegExp(`\\b(?:${DOCUMENT_WORDS})\\b(?:\\s*\\(\\d+\\))?`)),
  // BT-2 Invoice issue date
  ...rule(
    'BT-2',
    1,
    /\bdate\s+(?:de\s+(?:la\s+)?)?factur(?:e|ation)\b/,
    /\bdate\s+d'emission\b/,
    /\b(?:invoice|issue)\s+date\b/,
    /\bdate\s+of\s+(?:issue|invoice)\b/,
    /\bissued\s+(?:at|on)\b/,
    /\b(?:rechnungs|beleg|ausstellungs)\s*-?\s*datum\b/,
    /\bfactuur\s*-?\s*datum\b/,
    /\bdata\s+(?:della\s+)?(?:fattura|documento|emissione)\b/,
    /\bfecha\s+(?:de\s+)?(?:(?:la\s+)?factura|emision|expedicion)\b/,
    /\bfakturadato\b|\bfakturadatum\b|\bdata\s+(?:wystawienia|(?:de\s+)?emissao|da\s+fatura)\b/,
  ),
  // Italian "Data" is an English word too: a label only when it is its cell's one word.
  ...rule('BT-2', 0.75, /\bdate\b/, /\bdatum\b/, /\bfecha\b/, /(?<=^|\s{3})data(?=\s?:?(?:\s{3}|$))/),
  // A letter's date after its place: "München, den 01.11.2024", "Lyon, le 13 novembre 2017".
  ...rule('BT-2', 0.85, /,\s+den\b/, /,\s+le\b/),
  // "Rechnung Nr. 471102 vom 05.03.2018", "Facture n° 12 du 13/11/2017"
  ...ruleAfter('BT-1', 'BT-2', 0.8, /\bvom\b/, /\bvon\b/, /\bdu\b/, /\bdated\b/),
  // BT-9 Payment due date
  ...rule(
    'BT-9',
    1,
    /\bdate\s+(?:d'|de\s+l'|limite\s+de\s+)?\s?(?:echeance|paiement)\b/,
    /\becheance\b/,
    /\b(?:payment\s+)?due\s+(?:date|on|by)\b/,
    /\bpayment\s+due\b/,
    /\bfalligkeit(?:sdatum)?\b/,
    /\bfallig\s+(?:am|bis)\b/,
    /\bzahlbar\s+bis\b/,
    /\bzahlungsziel\b/,
    /\bvervaldatum\b/,
    /\bte\s+betalen\s+(?:voor|uiterlijk|op)\b/,
    /\b(?:data\s+(?:di\s+)?)?scadenza\b/,
    /\b(?:fecha\s+de\s+)?vencimiento\b/,
    /\bforfallodag\b|\bforfaldsdato\b|\bforfallsdato\b|\btermin\s+platnosci\b|\bdata\s+de\s+vencimento\b/,
  ),
  // "Zahlbar innerhalb 30 Tagen netto bis 04.04.2020", "Bitte überweisen Sie bis zum 29.10.2015"
  ...rule(
    'BT-9',
    0.8,
    /\b(?:zahlbar|uberweisen|zahlen)\b[^.:]{0,40}?\bbis(?:\s+(?:zum|spatestens))?\b/,
    /\b(?:payable|pay|paid)\s+(?:by|before|no\s+later\s+than)\b/,
    /\b(?:a\s+regler|payable|a\s+payer)\s+(?:avant\s+le|au\s+plus\s+tard\s+le|le)\b/,
  ),
  // BT-30 Seller legal registration (SIREN, SIRET)
  ...rule('BT-30', 1, /\bsiren\b/, /\bsiret\b/, /\brcs\b(?:\s+[a-z-]+)?/),
  // Names in a party's block
  ...rule('BT-27', 1, /\b(?:name|nom|raison sociale|firma)\s*:/),
  // Totals
  ...rule(
    'BT-109',
    1,
    amountLabel(/\b(?:total|montant|sous[-\s]total)\s+(?:net\s+)?(?:h\.?\s?t\.?|hors\s+taxes?|hors\s+tva)/.source),
    amountLabel(/\btotal\s+(?:net|excl\.?(?:uding)?\.?\s+(?:vat|tax)|before\s+tax|without\s+vat)/.source),
    amountLabel(/\b(?:net\s+(?:total|amount)|amount\s+excl\.?(?:uding)?\.?\s+(?:vat|tax)|total\s+amount\s+excl\.?\s+vat)/.source),
    amountLabel(`\\b(?:${compound('nettobetrag', 'nettosumme')})\\b`),
    amountLabel(/\b(?:summe|betrag|gesamt(?:betrag)?|total)\s+(?:exkl\.?|excl\.?|ohne)\s*(?:ust|mwst|vat|tax|umsatzsteuer)\.?/.source),
    amountLabel(
      /\b(?:(?:rechnungs)?summe\s+netto|(?:rechnungs)?summe\s+netto|gesamt(?:betrag)?\s+netto|netto\s*(?:betrag|summe|gesamt)|rechnungssumme\s+ohne\s+(?:ust|mwst|umsatzsteuer)\.?|gesamtbetrag\s+ohne\s+(?:ust|mwst)\.?|steuerbasisbetrag|warenwert\s+netto)/
        .source,
    ),
    amountLabel(
      /\b(?:(?:totaal|bedrag)\s+excl\.?\s+btw|totale\s+(?:imponibile|netto)|imponibile|base\s+imponible|total\s+sin\s+iva|importe\s+neto)/
        .source,
    ),
  ),
  ...rule('BT-109', 0.7, amountLabel(/\b(?:sous[-\s]total|sub[-\s]?total|subtotaal|netto)\b/.source)),
  ...rule(
    'BT-110',
    1,
    amountLabel(/\b(?:total|montant)\s+(?:de\s+la\s+)?t\.?v\.?a\.?\b/.source),
    amountLabel(/\b(?:zuzugl|zzgl)\.?\s+(?:ust|mwst|umsatzsteuer|mehrwertsteuer)\.?/.source),
    amountLabel(/\b(?:total\s+(?:vat|tax)|vat\s+amount|tax\s+amount|total\s+tax\s+amount)\b/.source),
    amountLabel(`\\b(?:${compound('steuerbetrag', 'umsatzsteuerbetrag', 'mehrwertsteuerbetrag')})\\b`),
    amountLabel(
      /\b(?:mwst\.?[-\s]?betrag|ust\.?[-\s]?betrag|summe\s+(?:ust|mwst|umsatzsteuer)\.?|gesamtbetrag\s+(?:der\s+)?(?:umsatz)?steuer)/
        .source,
    ),
    amountLabel(
      /\b(?:btw[-\s]?bedrag|totaal\s+btw|totale\s+(?:iva|imposta)|cuota\s+(?:de\s+)?iva|total\s+iva|importe\s+(?:del\s+)?iva)\b/.source,
    ),
  ),
  ...rule('BT-110', 0.7, amountLabel(/\b(?:t\.?v\.?a\.?|vat|tax|mwst\.?|ust\.?|umsatzsteuer|mehrwertsteuer|btw|iva|imposta)\b/.source)),
  ...rule(
    'BT-112',
    1,
    amountLabel(/\b(?:total|montant)\s+(?:net\s+)?t\.?t\.?c\.?/.source),
    amountLabel(/\btotal\s+(?:incl\.?(?:uding)?\.?\s+(?:vat|tax)|gross|amount\s+incl\.?\s+vat|with\s+vat)/.source),
    amountLabel(/\b(?:grand\s+total|invoice\s+total|total\s+invoice\s+amount)\b/.source),
    amountLabel(
      `\\b(?:${compound('bruttobetrag', 'bruttosumme', 'gesamtsumme', 'rechnungsbetrag', 'rechnungssumme', 'endbetrag', 'endsumme', 'gesamtbetrag')})\\b`,
    ),
    amountLabel(
      /\b(?:summe|betrag|gesamt(?:betrag)?|total)\s+(?:inkl\.?|incl\.?|einschl\.?)\s*(?:ust|mwst|vat|tax|umsatzsteuer)\.?/.source,
    ),
    amountLabel(/\b(?:(?:rechnungs)?summe\s+brutto|gesamt(?:betrag)?\s+brutto)\b/.source),
    amountLabel(
      /\b(?:totaal\s+incl\.?\s+btw|factuurbedrag|totale\s+(?:fattura|documento|generale)|total\s+(?:de\s+la\s+)?factura|importe\s+total)\b/
        .source,
    ),
  ),
  ...rule('BT-112', 0.6, amountLabel(/\b(?:total|totaal|totale|brutto|summe)\b/.source)),
  ...rule(
    'BT-115',
    1,
    amountLabel(/\b(?:net|reste|montant|solde)\s+a\s+payer\b/.source),
    amountLabel(/\b(?:amount|balance|total)\s+due\b/.source),
    amountLabel(/\bamount\s+payable\b/.source),
    amountLabel(`\\b(?:${compound('zahlbetrag')})\\b`),
    amountLabel(/\b(?:zu\s+zahlen(?:der\s+betrag)?|falliger\s+betrag|offener\s+betrag|zahlbarer\s+betrag)\b/.source),
    amountLabel(/\b(?:te\s+betalen|netto\s+a\s+pagare|totale\s+da\s+pagare|total\s+a\s+pagar)\b/.source),
  ),
  ...rule(
    'BT-106',
    1,
    amountLabel(`\\b(?:${compound('positionssumme')})\\b`),
    amountLabel(
      /\b(?:total\s+(?:des\s+)?lignes|summe\s+(?:der\s+)?(?:rechnungs)?positionen|line\s+total|sum\s+of\s+lines|warenwert)\b/.source,
    ),
  ),
  // Look-alikes that must not be read as the terms above.
  ...rule(
    'other',
    1,
    /\b(?:n\s?[°o]|numero)\s+(?:de\s+)?facture\s+(?:associee|precedente|d'origine)\b/,
    // The invoice a credit note or a correction refers to: « Avoir sur facture n° », « zur Rechnung Nr. ».
    new RegExp(`\\b(?:sur|correspondant\\s+a\\s+la)\\s+facture\\s*(?:${NUMBER_WORD})`),
    new RegExp(`\\b(?:zur|zu|bezug|bezuglich|ursprungliche[nr]?|korrigierte[nr]?)\\s*:?\\s+(?:der\\s+)?rechnung\\s*(?:${NUMBER_WORD})`),
    new RegExp(`\\b(?:original|related|corrected|referenced|against)\\s+invoice\\s*(?:${NUMBER_WORD})`),
    /\bdate\s+de\s+(?:la\s+)?facture\s+(?:associee|precedente|d'origine)\b/,
    /\bdate\s+(?:de\s+)?(?:livraison|commande|debut|fin|d'expedition)\b/,
    /\b(?:delivery|order|shipping|service|due)\s+date\b/,
    /\bdate\s+of\s+(?:delivery|order|shipment|supply|service)\b/,
    /\b(?:liefer|leistungs|bestell|auftrags)\s*-?\s*(?:und\s+leistungs)?datum\b/,
    /\b(?:n\s?[°o]|numero)\s+(?:de\s+)?(?:client|commande|bon\s+de\s+\w+|contrat|tva)\b/,
    /\b(?:customer|client|order|account|purchase\s+order)\s+(?:no\.?|number|id)\b/,
    /\b(?:kunden|bestell|auftrags|liefer|vertrags|steuer)\s*-?\s*(?:nummer|nr\.?)\b/,
    /\btva\s+(?:intra(?:communautaire)?|non\s+applicable)\b/,
    /\b(?:tva|vat|ust|mwst)\s*(?:-?\s*id(?:ent)?\.?(?:\s*-?\s*nr\.?)?|number|no\.?|reg\.?|n\s?[°o])/,
    /\bust\.?\s*-?\s*id\.?\s*-?\s*nr\.?/,
    /\b(?:btw\s*-?\s*(?:nummer|nr\.?|id)|partita\s+iva|p\.?\s?iva|codice\s+fiscale|nif(?:\s*-\s*iva)?|cif)\b/,
    /\b(?:klant|order|debiteur)\s*(?:nummer|nr\.?)|\b(?:numero\s+(?:cliente|ordine)|n(?:umero|\.?\s?[°º])\s+(?:de\s+)?(?:cliente|pedido))\b/,
    /\b(?:leverdatum|orderdatum|data\s+(?:di\s+)?(?:consegna|ordine)|fecha\s+de\s+(?:entrega|pedido))\b/,
    /\b(?:tarief|aliquota|tipo(?:\s+(?:de\s+)?iva)?)\b/,
    /\bvat\s+(?:id|reg(?:istration)?)\b/,
    /\b(?:taux|rate|satz|steuersatz|ust-satz|mwst-satz)\b/,
    /\bgesamtbetrag\s+der\s+(?:zuschlage|abschlage)\b/,
    /\b(?:erhaltene\s+anzahlungen|acompte|deposit|already\s+paid|prepaid)\b/,
  ),
];

/** Whose block a heading opens. */
export type Party = 'seller' | 'buyer' | 'other';

// A heading is a short cell that starts with one of these.
export const SECTION_HEADINGS: ReadonlyArray<readonly [Party, RegExp]> = [
  [
    'seller',
    /^(?:verkaufer|lieferant|rechnungssteller|seller|supplier|vendor|from|vendeur|fournisseur|emetteur|prestataire|nos references|leverancier|verkoper|fornitore|cedente|proveedor|emisor)\b/,
  ],
  [
    'buyer',
    /^(?:kaufer|kunde|rechnungsempfanger|leistungsempfanger|buyer|customer|bill(?:ed)?\s+to|invoice\s+to|sold\s+to|client|adresse\s+(?:du\s+client|de\s+facturation)|facture\s+a|destinataire|acheteur|vos\s+identifiants|klant|factuuradres|cliente|cessionario|destinatario|facturar\s+a)\b/,
  ],
  [
    'other',
    /^(?:lieferanschrift|abweichender|zahlungsempfanger|representant\s+fiscal|tax\s+representative|ship\s+to|deliver(?:y)?\s+to|adresse\s+de\s+livraison|livraison|payee)\b/,
  ],
];

const LEGAL_FORMS =
  /GmbH(?:\s*&\s*Co\.?\s*KG)?|GMBH|AG|KG|KGaA|OHG|e\.\s?K\.|UG|a\.\s?G\.|VVaG|eG|SARL|Sarl|S\.A\.R\.L\.|SAS|SASU|SA|EURL|SNC|SCI|SE|Ltd\.?|LTD\.?|Limited|LLC|Inc\.?|INC\.?|Corp\.?|PLC|plc|LLP|B\.V\.|N\.V\.|BV|NV|S\.L\.|S\.p\.A\.|S\.r\.l\.|AB|Oy|A\/S|ApS/
    .source;

/** Company legal forms, matched on the text as printed (case matters: "sa" is a French word, "SA" a company). */
export const LEGAL_FORM = new RegExp(`(?:^|\\s)(?:${LEGAL_FORMS})(?=$|[\\s,.)])`);

/** A legal form glued to the word before it, as OCR reads "IndustrieserviceGmbH". */
export const GLUED_LEGAL_FORM = new RegExp(`(?<=\\p{Ll})(?:${LEGAL_FORMS})(?=$|[\\s,.)])`, 'gu');

export const UNNAMED_CURRENCY = '?';

/**
 * Currency marks as printed (matched on the text as it is, case and all): symbols, and ISO 4217
 * codes as words. A dollar sign alone is the US dollar's, unless a prefix says whose ("CA$").
 */
export const CURRENCY_MARKS: ReadonlyArray<readonly [code: string, mark: RegExp]> = [
  ['EUR', /€|(?<![A-Za-z])(?:EUR|[Ee]uros?|EURO)(?![A-Za-z])/g],
  ['GBP', /£|(?<![A-Za-z])GBP(?![A-Za-z])/g],
  ['INR', /₹|(?<![A-Za-z])(?:INR|Rs\.?)(?![A-Za-z])/g],
  ['CHF', /(?<![A-Za-z])(?:CHF|SFr\.)(?![A-Za-z])/g],
  ['CAD', /(?<![A-Za-z])(?:CAD|CA\$|C\$)/g],
  ['AUD', /(?<![A-Za-z])(?:AUD|AU?\$)/g],
  ['USD', /(?<![A-Za-z])(?:USD|US\$|\$)/g],
  ['PLN', /(?<![A-Za-z])(?:PLN|zł)(?![A-Za-z])/g],
  ['CZK', /(?<![A-Za-z])(?:CZK|Kč)(?![A-Za-z])/g],
  // Crowns and yen: several currencies print these; a page that uses one has a currency Facteur cannot name.
  [UNNAMED_CURRENCY, /(?<![A-Za-z])(?:kr\.?|Kr\.?|¥)(?![A-Za-z])/g],
  ...[
    'SEK',
    'NOK',
    'DKK',
    'PLN',
    'CZK',
    'HUF',
    'RON',
    'BGN',
    'JPY',
    'CNY',
    'NZD',
    'SGD',
    'HKD',
    'ZAR',
    'BRL',
    'MXN',
    'AED',
    'TRY',
    'ISK',
  ].map((code) => [code, new RegExp(`(?<![A-Za-z])${code}(?![A-Za-z])`, 'g')] as const),
];

/** A label naming the currency: « Devise : EUR », « Währung: CHF », « Currency USD ». */
export const CURRENCY_LABEL = /\b(?:devise|monnaie|wahrung|currency|valuta|moneda)\b/;

/**
 * What a document calls itself in its title, by BT-3 code (UNTDID 1001): a corrected invoice
 * (384), a credit note (381), an invoice (380), in the languages invoices here come in. Tried in
 * this order, since "facture rectificative" and "Stornorechnung" start like an invoice's title.
 */
/** Titles that name a credit note or something else: a German "Gutschrift" is also a self-billed invoice (389). */
export const AMBIGUOUS_TITLE = /^gutschrift\b/;

export const DOCUMENT_TYPES: ReadonlyArray<readonly [code: '380' | '381' | '384', title: RegExp]> = [
  ['384', new RegExp(`^(?:${CORRECTIVE_WORDS})\\b`)],
  ['381', new RegExp(`^(?:${CREDIT_NOTE_WORDS})\\b`)],
  ['380', new RegExp(`^(?:${INVOICE_WORDS})\\b`)],
];
