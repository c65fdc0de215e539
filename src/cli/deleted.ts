import { type Command, Option } from 'commander';
import { purgeDeleted } from '../invoices/deletion.ts';
import { OwnedInvoices } from '../invoices/owned.ts';
import { invoiceIdFrom } from '../validators.ts';
import { nonNegativeInteger, withFacteur } from './context.ts';
import { ownerOption } from './invoices.ts';

/** `facteur delete|restore ID` (soft, as the owner, in the audit trail) and `facteur purge-deleted`. */
export function registerDeletedCommands(program: Command): void {
  for (const [name, deleted, description] of [
    ['delete', true, 'supprimer une facture (restaurable jusqu’à la purge) · delete an invoice, restorable until purged'],
    ['restore', false, 'restaurer une facture supprimée · restore a deleted invoice'],
  ] as const) {
    program
      .command(`${name} <id>`)
      .description(description)
      .addOption(ownerOption())
      .action(async (id: string, options: { owner: string }) => {
        const invoiceId = invoiceIdFrom(id);
        await withFacteur(async ({ db }) => {
          await new OwnedInvoices(db, options.owner).setDeleted(invoiceId, deleted, { by: options.owner });
          console.log(`Facture ${invoiceId} ${deleted ? 'supprimée' : 'restaurée'}.`);
        });
      });
  }

  program
    .command('purge-deleted')
    .description('remove for good the invoices deleted longer ago than the retention (FACTEUR_DELETED_RETENTION_DAYS, 30 by default)')
    .addOption(new Option('--days <n>', 'retention in days, instead of FACTEUR_DELETED_RETENTION_DAYS').argParser(nonNegativeInteger))
    .action(async (options: { days?: number }) => {
      await withFacteur(async ({ db, config }) => {
        const days = options.days ?? config.deletedRetentionDays;
        const purged = await purgeDeleted(db, days);
        console.log(`Purged ${purged} invoice${purged === 1 ? '' : 's'} deleted more than ${days} day${days === 1 ? '' : 's'} ago.`);
      });
    });
}
