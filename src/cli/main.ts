import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { connect, migrate, redactUrl } from '../db/index.ts';
import { FacteurError, InvalidInputError, errorMessage } from '../errors.ts';
import { QUEUE_DEFAULTS } from '../queue/defaults.ts';
import { printable } from '../text.ts';
import type { QueueStats } from '../queue/queue.ts';
import { EXIT_FAILURE, EXIT_USAGE, duration, nonNegativeInteger, positiveInteger, withFacteur } from './context.ts';
import { registerDeletedCommands } from './deleted.ts';
import { registerDoctor } from './doctor.ts';
import { registerExportCommands } from './export.ts';
import { registerInvoiceCommands } from './invoices.ts';
import { registerMailboxCommands } from './mailbox.ts';
import { registerReviewCommands } from './review.ts';
import { registerTokenCommands } from './tokens.ts';
import { registerUserCommands } from './users.ts';
import { registerWatch } from './watch.ts';

function formatStats(stats: QueueStats): string {
  const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`);
  const rows: [string, string][] = [
    ['pending', `${stats.pending}${stats.scheduled ? ` (${stats.scheduled} waiting for a retry or a delay)` : ''}`],
    ['processing', String(stats.processing)],
    ['completed', String(stats.completed)],
    ['failed', String(stats.failed)],
    ['average duration', seconds(stats.averageDurationMs)],
    ['oldest pending', stats.pending ? seconds(stats.oldestPendingMs) : '–'],
    ['completed, last minute', String(stats.completedLastMinute)],
    ['failed, last hour', String(stats.failedLastHour)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export function buildProgram(): Command {
  const program = new Command('facteur')
    .description('Receive and process invoices: a durable PostgreSQL queue and e-invoice extraction.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('migrate')
    .description('apply the pending SQL migrations of supabase/migrations')
    .action(async () => {
      const config = loadConfig();
      const db = await connect({
        url: config.databaseUrl,
        dataDir: config.databaseUrl ? undefined : config.dataDir,
        poolMode: config.poolMode,
      });
      try {
        const report = await migrate(db);
        const where = config.databaseUrl ? redactUrl(config.databaseUrl) : `the embedded database in ${config.dataDir}`;
        if (report.applied.length === 0) console.log(`Up to date: ${report.alreadyApplied.length} migrations already applied to ${where}.`);
        else
          console.log(`Applied ${report.applied.length} migrations to ${where}:\n${report.applied.map((name) => `  ${name}`).join('\n')}`);
      } finally {
        await db.close();
      }
    });

  program
    .command('worker')
    .description(
      'claim and run jobs until SIGTERM or SIGINT, watch FACTEUR_WATCH_DIR if set, read the mailboxes if FACTEUR_SECRET_KEY is set',
    )
    .addOption(new Option('-c, --concurrency <n>', 'jobs run at the same time (FACTEUR_CONCURRENCY)').argParser(positiveInteger))
    .addOption(
      new Option('--prefetch <n>', 'jobs claimed ahead of free slots, for many short jobs (FACTEUR_PREFETCH)').argParser(
        nonNegativeInteger,
      ),
    )
    .option('--poll-only', 'never LISTEN; poll only (for transaction-mode poolers)')
    .addOption(
      new Option('--grace <duration>', 'how long running jobs may finish after a stop signal')
        .default(QUEUE_DEFAULTS.graceMs, `${QUEUE_DEFAULTS.graceMs / 1000}s`)
        .argParser(duration),
    )
    .action(async (options: { concurrency?: number; prefetch?: number; pollOnly?: boolean; grace: number }) => {
      await withFacteur(async (facteur) => {
        const worker = facteur.createWorker({ concurrency: options.concurrency, prefetch: options.prefetch, pollOnly: options.pollOnly });
        await worker.start();
        const folder = await facteur.startFolderWatch().catch(async (error: unknown) => {
          await worker.stop({ graceMs: 0 });
          throw error;
        });
        const mail = await facteur.startMailboxWatch().catch(async (error: unknown) => {
          await Promise.all([folder?.stop(), worker.stop({ graceMs: 0 })]);
          throw error;
        });
        await new Promise<void>((resolve) => {
          let stopping = false;
          const onSignal = (signal: NodeJS.Signals) => {
            if (stopping) {
              facteur.logger.warn({ signal }, 'second signal: exiting now; unfinished jobs come back when their lease expires');
              process.exit(EXIT_FAILURE);
            }
            stopping = true;
            facteur.logger.info({ signal, graceMs: options.grace }, 'stopping: no new jobs, running jobs may finish');
            void Promise.all([folder?.stop(), mail?.stop(), worker.stop({ graceMs: options.grace })]).then(() => resolve());
          };
          process.on('SIGTERM', onSignal);
          process.on('SIGINT', onSignal);
        });
      });
    });

  program
    .command('drain')
    .description('one serverless tick: run jobs until the queue is empty or the budget is spent')
    .addOption(new Option('--budget-ms <ms>', 'time budget in milliseconds').default(270_000).argParser(positiveInteger))
    .option('--json', 'print the report as JSON')
    .action(async (options: { budgetMs: number; json?: boolean }) => {
      await withFacteur(async (facteur) => {
        const report = await facteur.createWorker().drain({ budgetMs: options.budgetMs });
        if (options.json) console.log(JSON.stringify(report));
        else {
          console.log(
            `Claimed ${report.claimed}: ${report.completed} completed, ${report.retried} to retry, ${report.failed} failed; ` +
              `${report.reaped} reaped; ${report.remaining} pending; ${report.durationMs} ms.`,
          );
        }
      });
    });

  program
    .command('stats')
    .description('jobs by status, average duration, oldest pending job')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      await withFacteur(async (facteur) => {
        const stats = await facteur.queue.stats();
        console.log(options.json ? JSON.stringify(stats) : formatStats(stats));
      });
    });

  program
    .command('retry')
    .description('give failed jobs fresh attempts: one invoice, or every failed job')
    .argument('[invoiceId]', 'the invoice whose failed job to retry')
    .option('--failed', 'retry every failed job')
    .action(async (invoiceId: string | undefined, options: { failed?: boolean }) => {
      if (!invoiceId === !options.failed) {
        throw new InvalidInputError('USAGE', 'Give either an invoice id or --failed.');
      }
      await withFacteur(async (facteur) => {
        const revived = await facteur.queue.retryFailed(invoiceId ? { invoiceId } : {});
        if (invoiceId && revived.length === 0) {
          throw new InvalidInputError('NO_FAILED_JOB', `Invoice ${invoiceId} has no failed job to retry.`);
        }
        console.log(`Queued ${revived.length} failed job${revived.length === 1 ? '' : 's'} again.`);
      });
    });

  program
    .command('purge')
    .description('delete completed and failed jobs that finished longer ago than a retention')
    .requiredOption('--older-than <duration>', 'retention, such as 7d or 12h', duration)
    .action(async (options: { olderThan: number }) => {
      await withFacteur(async (facteur) => {
        const deleted = await facteur.queue.purge(options.olderThan);
        console.log(`Deleted ${deleted} finished job${deleted === 1 ? '' : 's'}.`);
      });
    });

  registerInvoiceCommands(program);
  registerExportCommands(program);
  registerReviewCommands(program);
  registerDeletedCommands(program);
  registerDoctor(program);
  registerTokenCommands(program);
  registerUserCommands(program);
  registerWatch(program);
  registerMailboxCommands(program);

  return program;
}

/** Runs the CLI; every expected failure becomes one line on stderr and an exit status. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof FacteurError) {
      console.error(`facteur: ${printable(error.message)}`);
      return error instanceof InvalidInputError || error.code === 'CONFIG_INVALID' ? EXIT_USAGE : EXIT_FAILURE;
    }
    console.error(`facteur: unexpected error: ${printable(errorMessage(error))}`);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv);
