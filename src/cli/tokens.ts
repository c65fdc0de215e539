import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../access/accounts.ts';
import { createToken, revokeToken } from '../access/tokens.ts';
import { InvalidInputError } from '../errors.ts';
import { withFacteur } from './context.ts';

/** `facteur token create|revoke`: bearer tokens for FACTEUR_AUTH=token, kept hashed in the database. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('bearer tokens for FACTEUR_AUTH=token');

  token
    .command('create')
    .description('create a token for an owner and print it: it is shown this once')
    .requiredOption('--owner <owner>', 'whose invoices the token reads and writes')
    .option('--label <label>', 'a note, e.g. what uses the token')
    .addOption(new Option('--role <role>', 'admin: the whole machine’s figures; member: its owner’s only').choices(ROLES).default('member'))
    .action(async (options: { owner: string; label?: string; role: Role }) => {
      await withFacteur(async ({ db }) => console.log(await createToken(db, options.owner, options.label, options.role)));
    });

  token
    .command('revoke')
    .description('revoke a token')
    .argument('<token>')
    .action(async (text: string) => {
      await withFacteur(async ({ db }) => {
        if (!(await revokeToken(db, text))) throw new InvalidInputError('UNKNOWN_TOKEN', 'No such token.');
        console.log('Revoked.');
      });
    });
}
