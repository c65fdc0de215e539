import { type Command, Option } from 'commander';
import { InvalidInputError } from '../errors.ts';
import { defaultMailLimits } from '../intake/mail.ts';
import { addMailbox, findMailbox, listMailboxes, removeMailbox, startMailboxWatch, testMailbox } from '../intake/mailbox.ts';
import { requireSecretKey } from '../intake/secret.ts';
import { duration, positiveInteger, withFacteur } from './context.ts';
import { ownerOption } from './invoices.ts';

/** The password from the environment or standard input: never an argument, which `ps` shows to everyone. */
async function readPassword(variable: string): Promise<string> {
  const fromEnv = process.env[variable];
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) throw new InvalidInputError('NO_PASSWORD', `Give the password in ${variable} or on standard input.`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw new InvalidInputError('NO_PASSWORD', `Give the password in ${variable} or on standard input.`);
  return password;
}

/** `facteur mailbox add|list|remove|test|watch`: IMAP mailboxes whose attachments become invoices (admin). */
export function registerMailboxCommands(program: Command): void {
  const mailbox = program.command('mailbox').description('IMAP mailboxes whose attachments become invoices');

  mailbox
    .command('add')
    .description(
      'store a mailbox (its password sealed with FACTEUR_SECRET_KEY); the password comes from FACTEUR_MAILBOX_PASSWORD or standard input',
    )
    .argument('<name>', 'a short name for the mailbox, e.g. factures')
    .addOption(ownerOption())
    .requiredOption('--host <host>', 'the IMAP server')
    .addOption(new Option('--port <port>', 'the IMAP port').default(993).argParser(positiveInteger))
    .option('--no-tls', 'connect without TLS (a server on this machine only)')
    .requiredOption('--user <user>', 'the login')
    .option('--folder <folder>', 'the folder to read', 'INBOX')
    .option('--processed-folder <folder>', 'move taken messages there (default: leave them with the $Facteur keyword)')
    .action(
      async (
        name: string,
        options: { owner: string; host: string; port: number; tls: boolean; user: string; folder: string; processedFolder?: string },
      ) => {
        const key = requireSecretKey();
        const password = await readPassword('FACTEUR_MAILBOX_PASSWORD');
        await withFacteur(async ({ db }) => {
          const added = await addMailbox(db, key, {
            owner: options.owner,
            name,
            host: options.host,
            port: options.port,
            tls: options.tls,
            username: options.user,
            password,
            folder: options.folder,
            processedFolder: options.processedFolder ?? null,
          });
          console.log(`Mailbox ${added.name} added for ${added.owner}.`);
        });
      },
    );

  mailbox
    .command('list')
    .description('the stored mailboxes (never their passwords)')
    .addOption(new Option('--owner <owner>', "one owner's mailboxes (default: every owner's)"))
    .option('--json', 'print as JSON')
    .action(async (options: { owner?: string; json?: boolean }) => {
      await withFacteur(async ({ db }) => {
        const mailboxes = await listMailboxes(db, options.owner ?? null);
        if (options.json) return console.log(JSON.stringify(mailboxes));
        if (mailboxes.length === 0) return console.log('No mailbox.');
        for (const m of mailboxes) {
          const after = m.processedFolder ? `→ ${m.processedFolder}` : `→ keyword $Facteur`;
          console.log(`${m.owner}\t${m.name}\t${m.username}@${m.host}:${m.port}${m.tls ? '' : ' (no TLS)'}\t${m.folder} ${after}`);
        }
      });
    });

  mailbox
    .command('remove')
    .description('forget a mailbox; the records of its messages stay')
    .argument('<name>')
    .addOption(ownerOption())
    .action(async (name: string, options: { owner: string }) => {
      await withFacteur(async ({ db }) => {
        if (!(await removeMailbox(db, options.owner, name)))
          throw new InvalidInputError('UNKNOWN_MAILBOX', `${options.owner} has no mailbox named ${name}.`);
        console.log(`Mailbox ${name} removed.`);
      });
    });

  mailbox
    .command('test')
    .description('log in and count the messages of the folder')
    .argument('<name>')
    .addOption(ownerOption())
    .action(async (name: string, options: { owner: string }) => {
      const key = requireSecretKey();
      await withFacteur(async ({ db }) => {
        const found = await findMailbox(db, key, options.owner, name);
        if (!found) throw new InvalidInputError('UNKNOWN_MAILBOX', `${options.owner} has no mailbox named ${name}.`);
        const { messages, unread } = await testMailbox(found);
        console.log(`${name}: logged in; ${found.folder} holds ${messages} messages, ${unread} unread.`);
      });
    });

  mailbox
    .command('watch')
    .description('read the stored mailboxes until SIGTERM or SIGINT (the worker does it too when FACTEUR_SECRET_KEY is set)')
    .addOption(new Option('--owner <owner>', "one owner's mailboxes (default: every owner's)"))
    .addOption(new Option('--interval <duration>', 'time between two rounds').default(60_000, '60s').argParser(duration))
    .addOption(new Option('--batch <n>', 'messages per mailbox and round at most').default(100).argParser(positiveInteger))
    .action(async (options: { owner?: string; interval: number; batch: number }) => {
      const key = requireSecretKey();
      await withFacteur(async ({ db, queue, config, logger }) => {
        const watch = startMailboxWatch({ db, queue, logger }, key, {
          limits: defaultMailLimits(config.maxUploadBytes),
          batch: options.batch,
          intervalMs: options.interval,
          owner: options.owner,
        });
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', () => resolve());
          process.once('SIGINT', () => resolve());
        });
        await watch.stop();
      });
    });
}
