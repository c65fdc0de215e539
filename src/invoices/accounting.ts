// The purchase journal in the FEC layout (Fichier des Écritures Comptables, article A47 A-1 of the
// Livre des procédures fiscales), and the per-organisation settings it is booked with.
import { Decimal } from 'decimal.js';
import type { Sql } from '../db/types.ts';
import { InvalidInputError } from '../errors.ts';
import { type BookedInvoice, type ExportSource, kindName, signedAmounts, supplierSiren } from './export.ts';

export interface AccountingSettings {
  journalCode: string;
  journalLabel: string;
  /** The suppliers' collective account; each supplier gets its auxiliary account under it. */
  supplierAccount: string;
  /** Where purchases are debited when the supplier has no default of its own. */
  expenseAccount: string;
  deductibleVatAccount: string;
  /** VAT due on a reverse-charge purchase (autoliquidation), credited as the deductible VAT is debited. */
  reverseChargeVatAccount: string;
  /** The rate self-assessed on a reverse-charge invoice, which states none (a decimal string). */
  reverseChargeRate: string;
}

export const DEFAULT_ACCOUNTING: AccountingSettings = {
  journalCode: 'HA',
  journalLabel: 'Achats',
  supplierAccount: '401',
  expenseAccount: '607',
  deductibleVatAccount: '44566',
  reverseChargeVatAccount: '4452',
  reverseChargeRate: '20',
};

const COLUMNS = {
  journalCode: 'journal_code',
  journalLabel: 'journal_label',
  supplierAccount: 'supplier_account',
  expenseAccount: 'expense_account',
  deductibleVatAccount: 'deductible_vat_account',
  reverseChargeVatAccount: 'reverse_charge_vat_account',
  reverseChargeRate: 'reverse_charge_rate',
} as const satisfies Record<keyof AccountingSettings, string>;

const ACCOUNT = /^[0-9A-Za-z]{1,20}$/;
const CHECKS: Record<keyof AccountingSettings, { test: (value: string) => boolean; what: string }> = {
  journalCode: { test: (v) => /^[A-Za-z0-9]{1,10}$/.test(v), what: 'one to ten letters or digits' },
  journalLabel: { test: (v) => v.length >= 1 && v.length <= 100 && !/[\t|\r\n]/.test(v), what: 'one to a hundred characters, no tab or |' },
  supplierAccount: { test: (v) => ACCOUNT.test(v), what: 'an account number' },
  expenseAccount: { test: (v) => ACCOUNT.test(v), what: 'an account number' },
  deductibleVatAccount: { test: (v) => ACCOUNT.test(v), what: 'an account number' },
  reverseChargeVatAccount: { test: (v) => ACCOUNT.test(v), what: 'an account number' },
  reverseChargeRate: { test: (v) => /^\d{1,2}(\.\d{1,2})?$/.test(v), what: 'a percentage such as 20 or 5.5' },
};

// The owner's settings row. Reads only.
const READ = `SELECT journal_code, journal_label, supplier_account, expense_account, deductible_vat_account,
                     reverse_charge_vat_account, reverse_charge_rate::text
                FROM export_settings WHERE owner = $1`;

export async function readAccountingSettings(sql: Sql, owner: string): Promise<AccountingSettings> {
  const { rows } = await sql.query<Record<string, string>>(READ, [owner]);
  const row = rows[0];
  if (!row) return DEFAULT_ACCOUNTING;
  const settings = Object.fromEntries(Object.entries(COLUMNS).map(([key, column]) => [key, row[column]!])) as unknown as AccountingSettings;
  return { ...settings, reverseChargeRate: new Decimal(settings.reverseChargeRate).toString() };
}

// Creates the owner's row with the defaults, or changes the given settings in it; one statement,
// so two changes at once each land whole (the row lock of the upsert orders them). The columns
// are named from the constant COLUMNS table, never from input.
export async function changeAccountingSettings(sql: Sql, owner: string, changes: Partial<AccountingSettings>): Promise<AccountingSettings> {
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [keyof AccountingSettings, string][];
  for (const [key, value] of entries) {
    if (!CHECKS[key]?.test(value))
      throw new InvalidInputError('INVALID_SETTING', `${key} must be ${CHECKS[key]?.what ?? 'known'} (got ${JSON.stringify(value)}).`);
  }
  if (entries.length > 0) {
    const columns = entries.map(([key]) => COLUMNS[key]);
    await sql.query(
      `INSERT INTO export_settings (owner, ${columns.join(', ')}) VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
       ON CONFLICT (owner) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
      [owner, ...entries.map(([, value]) => value)],
    );
  }
  return readAccountingSettings(sql, owner);
}

// ------------------------------------------------------------------------------------ FEC

/** The 18 columns of article A47 A-1 of the LPF, in their order. */
export const FEC_COLUMNS = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'CompAuxNum',
  'CompAuxLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'Debit',
  'Credit',
  'EcritureLet',
  'DateLet',
  'ValidDate',
  'Montantdevise',
  'Idevise',
] as const;

export type FecSeparator = '\t' | '|';

/** One line of an entry: an account debited or credited, and the amount in the invoice's currency. */
interface FecLine {
  account: string;
  accountLabel: string;
  auxiliary?: { account: string; label: string };
  /** Positive: debit; negative: credit, in euros. */
  amount: Decimal;
  /** The same in the invoice's currency, when it is not the euro. */
  foreign?: Decimal;
}

const fecDate = (iso: string | undefined) => iso?.replace(/-/g, '') ?? '';
const fecAmount = (value: Decimal) => value.toFixed(2).replace('.', ',');

/** The supplier's auxiliary account: F and its SIREN, else its VAT number, else its name in capitals. */
export function supplierAuxiliary(entry: BookedInvoice): { account: string; label: string } {
  const { fields } = entry.invoice;
  const key =
    supplierSiren(entry.invoice) ??
    fields['BT-31']?.replace(/[^0-9A-Za-z]/g, '').toUpperCase() ??
    (fields['BT-27'] ?? 'INCONNU')
      .normalize('NFD')
      .replace(/[^0-9A-Za-z]/g, '')
      .toUpperCase();
  return { account: `F${key}`.slice(0, 17), label: fields['BT-27'] ?? '' };
}

/**
 * An invoice's entry, balanced: the expense per VAT rate and the deductible VAT debited, the
 * supplier credited with their sum; reverse charge self-assesses the VAT (44566 debited, 4452
 * credited). A credit note's signed amounts turn every side over. Amounts in another currency are
 * converted at the rate the invoice states for its VAT (BT-111 / BT-110) when it states one.
 */
export function fecEntry(entry: BookedInvoice, settings: AccountingSettings): { lines: FecLine[]; unconverted: boolean } {
  const { invoice } = entry;
  const amounts = signedAmounts(invoice);
  const currency = invoice.fields['BT-5'] ?? 'EUR';
  let rate: Decimal | undefined = currency === 'EUR' ? new Decimal(1) : undefined;
  const vatInEuros = invoice.fields['BT-6'] === 'EUR' ? invoice.fields['BT-111'] : undefined;
  const vatTotal = invoice.fields['BT-110'];
  if (
    !rate &&
    vatInEuros &&
    vatTotal &&
    /^-?\d+(\.\d+)?$/.test(vatInEuros) &&
    /^-?\d+(\.\d+)?$/.test(vatTotal) &&
    !new Decimal(vatTotal).isZero()
  ) {
    rate = new Decimal(vatInEuros).div(vatTotal);
  }
  const toEuros = (value: Decimal) => value.times(rate ?? 1).toDecimalPlaces(2);
  const foreign = (value: Decimal) => (currency === 'EUR' ? undefined : value);
  const expense = entry.supplierExpenseAccount ?? settings.expenseAccount;
  const lines: FecLine[] = [];
  const parts =
    amounts.rates.size > 0
      ? [...amounts.rates]
      : [['?', { base: amounts.net ?? new Decimal(0), vat: amounts.vat ?? new Decimal(0) }] as const];
  for (const [key, { base, vat }] of parts) {
    if (!base.isZero()) lines.push({ account: expense, accountLabel: 'Achats', amount: toEuros(base), foreign: foreign(base) });
    if (key === 'AE') {
      const due = base.times(settings.reverseChargeRate).div(100).toDecimalPlaces(2);
      if (!due.isZero()) {
        lines.push({ account: settings.deductibleVatAccount, accountLabel: 'TVA déductible', amount: toEuros(due), foreign: foreign(due) });
        lines.push({
          account: settings.reverseChargeVatAccount,
          accountLabel: 'TVA due autoliquidée',
          amount: toEuros(due).neg(),
          foreign: foreign(due),
        });
      }
    } else if (!vat.isZero()) {
      lines.push({ account: settings.deductibleVatAccount, accountLabel: 'TVA déductible', amount: toEuros(vat), foreign: foreign(vat) });
    }
  }
  // The supplier is credited with what the other lines debit, so that the entry balances even
  // when a conversion rounds each line; in the invoice's currency it owes the invoice's total.
  const debited = lines.reduce((sum, line) => sum.plus(line.amount), new Decimal(0));
  lines.unshift({
    account: settings.supplierAccount,
    accountLabel: 'Fournisseurs',
    auxiliary: supplierAuxiliary(entry),
    amount: debited.neg(),
    foreign: currency === 'EUR' ? undefined : (amounts.gross ?? debited),
  });
  return { lines, unconverted: rate === undefined };
}

/** Text as the FEC takes it: no separator, no line break. */
const fecText = (value: string | undefined) => (value ?? '').replace(/[\t|\r\n]+/g, ' ').trim();

/**
 * The period's purchase journal, one entry per invoice numbered in the period's date order (the
 * accounting date is the invoice date, or the received date for a period by received date).
 * Tab-separated by default; `|` is the other separator the text allows.
 */
export async function* fecExport(
  source: ExportSource,
  settings: AccountingSettings,
  separator: FecSeparator = '\t',
): AsyncGenerator<string> {
  const row = (cells: readonly string[]) => `${cells.join(separator)}\r\n`;
  yield row(FEC_COLUMNS);
  let number = 0;
  for await (const page of source.pages()) {
    let chunk = '';
    for (const entry of page) {
      number += 1;
      const { invoice } = entry;
      const { lines, unconverted } = fecEntry(entry, settings);
      const kind = kindName(signedAmounts(invoice).kind, 'fr');
      const currency = invoice.fields['BT-5'] ?? 'EUR';
      const label = fecText(
        `${kind} ${invoice.fields['BT-1'] ?? ''} ${invoice.fields['BT-27'] ?? ''}${unconverted ? ` (montants en ${currency}, taux inconnu)` : ''}`,
      );
      const accountingDate = source.query.date === 'received' ? entry.receivedOn : (invoice.fields['BT-2'] ?? entry.receivedOn);
      for (const line of lines) {
        chunk += row([
          settings.journalCode,
          fecText(settings.journalLabel),
          String(number),
          fecDate(accountingDate),
          line.account,
          line.accountLabel,
          line.auxiliary?.account ?? '',
          fecText(line.auxiliary?.label),
          fecText(invoice.fields['BT-1']),
          fecDate(invoice.fields['BT-2']),
          label,
          fecAmount(line.amount.isPositive() ? line.amount : new Decimal(0)),
          fecAmount(line.amount.isNegative() ? line.amount.neg() : new Decimal(0)),
          '',
          '',
          fecDate(entry.approvedOn),
          line.foreign ? fecAmount(line.foreign.abs()) : '',
          line.foreign ? currency : '',
        ]);
      }
    }
    yield chunk;
  }
}
