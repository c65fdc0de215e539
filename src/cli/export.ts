import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { InvalidInputError } from '../errors.ts';
import { type AccountingSettings, changeAccountingSettings, readAccountingSettings } from '../invoices/accounting.ts';
import { EXPORT_FORMATS, exportRequestFrom } from '../invoices/export.ts';
import { OwnedInvoices } from '../invoices/owned.ts';
import { withFacteur } from './context.ts';
import { ownerOption } from './invoices.ts';

interface ExportOptions {
  from?: string;
  to?: string;
  date?: string;
  review?: string;
  supplier?: string;
  format?: string;
  lang?: string;
  output?: string;
  owner: string;
}

const SETTINGS: { flag: string; key: keyof AccountingSettings; what: string }[] = [
  { flag: 'journal-code', key: 'journalCode', what: 'the FEC journal code (HA)' },
  { flag: 'journal-label', key: 'journalLabel', what: 'the journal label (Achats)' },
  { flag: 'supplier-account', key: 'supplierAccount', what: 'the suppliers account (401)' },
  { flag: 'expense-account', key: 'expenseAccount', what: 'the default expense account (607)' },
  { flag: 'vat-account', key: 'deductibleVatAccount', what: 'the deductible VAT account (44566)' },
  { flag: 'reverse-charge-account', key: 'reverseChargeVatAccount', what: 'the VAT due on reverse charge (4452)' },
  { flag: 'reverse-charge-rate', key: 'reverseChargeRate', what: 'the rate self-assessed on reverse charge (20)' },
];

export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description("a period's invoices as one file, as the web app's export (defaults: this month, approved, French CSV)")
    .option('--from <date>', 'first day, YYYY-MM-DD (default: the first of this month)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: the end of this month, or --from alone)')
    .addOption(new Option('--date <which>', 'the period is of the invoice date or the received date').choices(['invoice', 'received']))
    .option('--review <states>', 'review states, comma-separated: approved, ready, to_review, rejected (default: approved)')
    .option('--supplier <suppliers>', 'only these suppliers: VAT numbers, SIRENs or names, comma-separated')
    .addOption(new Option('--format <format>', 'the file written (default: csv-fr)').choices([...EXPORT_FORMATS]))
    .addOption(new Option('--lang <lang>', 'column names of the xlsx (default: fr)').choices(['fr', 'en']))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addOption(ownerOption())
    .action(async (options: ExportOptions) => {
      const request = exportRequestFrom(options, new Date());
      if (request.format === 'xlsx' && !options.output && process.stdout.isTTY) {
        throw new InvalidInputError('OUTPUT_NEEDED', 'An xlsx file is not for a terminal: name a file with --output.');
      }
      await withFacteur(async ({ db }) => {
        const file = await new OwnedInvoices(db, options.owner).export(request);
        const output = options.output ? createWriteStream(options.output) : process.stdout;
        await pipeline(Readable.from(file.chunks), output, { end: Boolean(options.output) });
        if (options.output) console.error(`Wrote ${options.output} (${request.format}, ${request.from} to ${request.to}).`);
      });
    });

  const settings = program
    .command('export-settings')
    .description("show or change the owner's accounting settings of the FEC export (accounts, journal)")
    .addOption(ownerOption())
    .option('--json', 'print as JSON');
  for (const { flag, what } of SETTINGS) settings.option(`--${flag} <value>`, what);
  settings.action(async (options: Record<string, string | boolean | undefined> & { owner: string }) => {
    const changes = Object.fromEntries(
      SETTINGS.filter(({ key }) => typeof options[key] === 'string').map(({ key }) => [key, options[key] as string]),
    ) as Partial<AccountingSettings>;
    await withFacteur(async ({ db }) => {
      const current =
        Object.keys(changes).length > 0
          ? await changeAccountingSettings(db, options.owner, changes)
          : await readAccountingSettings(db, options.owner);
      if (options.json) return console.log(JSON.stringify(current));
      for (const { flag, key } of SETTINGS) console.log(`${flag.padEnd(24)} ${current[key]}`);
    });
  });
}
