import { type Command, Option } from 'commander';
import { startFolderWatch } from '../intake/folder.ts';
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
        const folder = await startFolderWatch(
          { db, queue, logger },
          { dir, owner: options.owner, intervalMs: options.interval, settleMs: options.settle },
          config.maxUploadBytes,
        );
        await new Promise<void>((resolve) => {
          const onSignal = (signal: NodeJS.Signals) => {
            logger.info({ signal }, 'stopping: the file being taken is finished first');
            resolve();
          };
          process.once('SIGTERM', onSignal);
          process.once('SIGINT', onSignal);
        });
        await folder.stop();
      });
    });
}
