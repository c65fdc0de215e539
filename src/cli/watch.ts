import { type Command, Option } from 'commander';
import { WatchedFolder } from '../intake/folder.ts';
import { duration, withFacteur } from './context.ts';
import { ownerOption } from './invoices.ts';

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('take the invoice files dropped in a folder, until SIGTERM or SIGINT (taken → processed/, refused → refused/)')
    .argument('<dir>', 'the folder to watch')
    .addOption(ownerOption())
    .addOption(new Option('--interval <duration>', 'time between two scans of the folder').default(2_000, '2s').argParser(duration))
    .addOption(
      new Option('--settle <duration>', 'how long a file must stay unchanged (size and mtime) before it is taken')
        .default(2_000, '2s')
        .argParser(duration),
    )
    .action(async (dir: string, options: { owner: string; interval: number; settle: number }) => {
      await withFacteur(async ({ db, queue, config, logger }) => {
        const folder = new WatchedFolder(
          { db, queue, logger },
          { dir, owner: options.owner, maxBytes: config.maxUploadBytes, settleMs: options.settle },
        );
        await folder.open();
        const stop = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'stopping: the file being taken is finished first');
          stop.abort();
        };
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        logger.info({ dir: folder.dir, owner: options.owner, intervalMs: options.interval, settleMs: options.settle }, 'watching');
        await folder.run(options.interval, stop.signal);
      });
    });
}
