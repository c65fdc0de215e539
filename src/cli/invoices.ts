import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InvalidInputError, errorMessage } from '../errors.ts';
import { extractInvoiceFile, isInvoiceError, TERMS, type NormalisedInvoice, type TermId } from '../einvoice/index.ts';
import { OwnedInvoices } from '../invoices/owned.ts';
import { acceptFile, storeInvoices, type StoredInvoice } from '../invoices/store.ts';
import { invoiceIdFrom } from '../validators.ts';
import { integer, say, withFacteur } from './context.ts';

/** The owner the web app uses with FACTEUR_AUTH=none; others are named with --owner. */
const LOCAL_OWNER = 'local';
export const ownerOption = () =>
  new Option('--owner <owner>', 'whose invoices (the owner of a FACTEUR_AUTH=token token)').default(LOCAL_OWNER);
/** Files per transaction: a failure loses no more than a batch, and no batch holds much memory. */
const BATCH = 25;

/** A person's view of an extracted invoice: its terms with their names, then the findings. */
function formatInvoice(invoice: NormalisedInvoice): string {
  const lines = [`format   ${invoice.format}${invoice.profileLevel ? ` (${invoice.profileLevel})` : ''}`];
  for (const [id, value] of Object.entries(invoice.fields)) {
    const term = TERMS[id as TermId] as { name?: string } | undefined;
    lines.push(`${id.padEnd(8)} ${value}${term?.name ? `   (${term.name})` : ''}`);
  }
  lines.push(`${invoice.vatBreakdown.length} VAT rates, ${invoice.lines.length} lines`);
  for (const finding of invoice.validation) lines.push(`${finding.severity.padEnd(8)} ${finding.rule}: ${finding.message}`);
  return lines.join('\n');
}

/** Every file under the given paths (folders walked, hidden entries skipped), in name order. */
async function filesUnder(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new InvalidInputError('FILE_UNREADABLE', `${path} cannot be read: ${errorMessage(error)}.`);
    }
    if (!info.isDirectory()) {
      found.push(path);
      continue;
    }
    const entries = (await readdir(path, { withFileTypes: true }))
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name));
    found.push(...(await filesUnder(entries.map((e) => join(path, e.name)))));
  }
  return found;
}

/** A progress line rewritten in place, on a terminal only. */
function progress(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
}

export function registerInvoiceCommands(program: Command): void {
  program
    .command('enqueue')
    .description('store invoice files and queue them for processing (folders are walked)')
    .argument('<paths...>', 'files or folders')
    .addOption(new Option('--priority <n>', 'higher runs first, from -1000 to 1000').default(0).argParser(integer))
    .addOption(ownerOption())
    .option('--json', 'print one JSON object per line per file')
    .action(async (paths: string[], options: { priority: number; owner: string; json?: boolean }) => {
      const files = await filesUnder(paths);
      if (files.length === 0) throw new InvalidInputError('NO_FILE', 'No file found under the given paths.');
      const refused: { file: string; code: string; message: string }[] = [];
      const queued: (StoredInvoice & { file: string })[] = [];
      await withFacteur(async ({ db, queue, config }) => {
        for (let i = 0; i < files.length; i += BATCH) {
          const batch: { file: string; accepted: ReturnType<typeof acceptFile> }[] = [];
          for (const file of files.slice(i, i + BATCH)) {
            try {
              batch.push({ file, accepted: acceptFile(file, new Uint8Array(await readFile(file)), config.maxUploadBytes) });
            } catch (error) {
              const code = (error as { code?: string }).code ?? 'FILE_UNREADABLE';
              refused.push({ file, code, message: errorMessage(error) });
            }
          }
          const stored = await storeInvoices(
            db,
            queue,
            options.owner,
            batch.map((b) => b.accepted),
            { source: { kind: 'cli', details: {} }, priority: options.priority },
          );
          stored.forEach((invoice, j) => queued.push({ file: batch[j]!.file, ...invoice }));
          progress(Math.min(i + BATCH, files.length), files.length);
        }
      });
      if (options.json) {
        for (const item of queued) console.log(JSON.stringify(item));
        for (const item of refused) console.log(JSON.stringify({ ...item, error: true }));
      } else {
        const duplicates = queued.filter((item) => item.duplicateOf).length;
        console.log(
          `Queued ${queued.length} invoice${queued.length === 1 ? '' : 's'}${duplicates ? ` (${duplicates} already uploaded before)` : ''}; refused ${refused.length}.`,
        );
        for (const item of refused) say(`  refused ${item.file}: ${item.message}`);
      }
      if (refused.length > 0)
        throw new InvalidInputError(
          'FILES_REFUSED',
          `${refused.length} file${refused.length === 1 ? ' was' : 's were'} refused; the others are queued.`,
        );
    });

  program
    .command('status')
    .description("an invoice's processing status and what was extracted")
    .argument('<invoiceId>')
    .addOption(ownerOption())
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean; owner: string }) => {
      const invoiceId = invoiceIdFrom(id);
      await withFacteur(async ({ db }) => {
        const status = await new OwnedInvoices(db, options.owner).status(invoiceId);
        if (options.json) return console.log(JSON.stringify(status));
        const { invoice } = status;
        say(
          [
            `${invoice.fileName}: ${status.status}, attempt ${status.attempts} of ${status.maxAttempts}` +
              (status.position !== null ? `, ${status.position} ahead in the queue` : ''),
            status.lastError ? `last error: ${status.lastError} (${status.errorCode})` : null,
            invoice.number
              ? `${invoice.seller ?? '?'} · n° ${invoice.number} · ${invoice.issueDate ?? '?'} · ${invoice.totalWithVat ?? '?'} ${invoice.currency ?? ''}`
              : null,
          ]
            .filter(Boolean)
            .join('\n'),
        );
      });
    });

  program
    .command('extract')
    .description('read one invoice file, with no database, and print the normalised invoice')
    .argument('<file>', 'a Factur-X/ZUGFeRD PDF, a CII or UBL XML file')
    .option('--json', 'print the normalised invoice as JSON')
    .option('--ignore-embedded-xml', 'read what is printed on the PDF instead of its embedded XML')
    .action(async (file: string, options: { json?: boolean; ignoreEmbeddedXml?: boolean }) => {
      let invoice: NormalisedInvoice;
      try {
        invoice = await extractInvoiceFile(file, { ignoreEmbeddedXml: options.ignoreEmbeddedXml });
      } catch (error) {
        if (isInvoiceError(error)) throw new InvalidInputError(error.code, `${file}: ${error.message}.`);
        throw error;
      }
      if (options.json) console.log(JSON.stringify(invoice, null, 2));
      else say(formatInvoice(invoice));
    });
}
