import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { addUser, removeUser, resetUser, ROLES, type Role } from '../access/accounts.ts';
import { checkNewPassword } from '../access/passwords.ts';
import { InvalidInputError } from '../errors.ts';
import { withFacteur } from './context.ts';

/** The whole of standard input, less its final line break (`printf '%s' "$PASSWORD" | …` or a file). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed: readline echoes into a stream that drops it. */
function ask(question: string): Promise<string> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const terminal = createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolve) => {
    process.stderr.write(question);
    terminal.question('', (answer) => {
      terminal.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/**
 * The new password: from standard input with --password-stdin (scripts), else typed twice at a
 * prompt. Never an argument, which shell history and `ps` would keep.
 */
async function newPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    const password = await readStdin();
    checkNewPassword(password);
    return password;
  }
  if (!process.stdin.isTTY) {
    throw new InvalidInputError('PASSWORD_NEEDED', 'No terminal to ask the password on: pipe it with --password-stdin.');
  }
  const password = await ask('Password: ');
  checkNewPassword(password);
  if ((await ask('Password again: ')) !== password) throw new InvalidInputError('PASSWORD_MISMATCH', 'The two passwords differ.');
  return password;
}

const roleOption = (description: string) => new Option('--role <role>', description).choices(ROLES);
const stdinOption = () => new Option('--password-stdin', 'read the password from standard input instead of asking for it');

/** `facteur user add|remove|reset`: the people who sign in with FACTEUR_AUTH=accounts, each in an organisation. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('people who sign in to the web app (FACTEUR_AUTH=accounts)');

  user
    .command('add')
    .description('add a person to an organisation (created with its first user); the password is asked for')
    .argument('<email>')
    .requiredOption('--org <name>', 'the organisation: the owner of the invoices its people see')
    .addOption(roleOption('admin sees the whole machine’s figures; member its organisation’s').makeOptionMandatory())
    .addOption(stdinOption())
    .action(async (email: string, options: { org: string; role: Role; passwordStdin?: boolean }) => {
      const password = await newPassword(options.passwordStdin);
      await withFacteur(async ({ db }) => addUser(db, { email, organisation: options.org, role: options.role }, password));
      console.log(`Added ${email.trim().toLowerCase()} to ${options.org} as ${options.role}.`);
    });

  user
    .command('remove')
    .description('remove a person; their sessions end at once')
    .argument('<email>')
    .action(async (email: string) => {
      await withFacteur(async ({ db }) => {
        if (!(await removeUser(db, email))) throw new InvalidInputError('UNKNOWN_USER', `No account for ${email}.`);
      });
      console.log('Removed; their sessions have ended.');
    });

  user
    .command('reset')
    .description('set a new password (asked for) and/or a new role; the person’s sessions end at once')
    .argument('<email>')
    .addOption(roleOption('a new role'))
    .option('--keep-password', 'change only the role')
    .addOption(stdinOption())
    .action(async (email: string, options: { role?: Role; keepPassword?: boolean; passwordStdin?: boolean }) => {
      const password = options.keepPassword ? undefined : await newPassword(options.passwordStdin);
      await withFacteur(async ({ db }) => {
        if (!(await resetUser(db, email, { password, role: options.role }))) {
          throw new InvalidInputError('UNKNOWN_USER', `No account for ${email}.`);
        }
      });
      console.log('Reset; their sessions have ended.');
    });
}
