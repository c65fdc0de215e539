import type { Command } from 'commander';
import { OwnedInvoices } from '../invoices/owned.ts';
import type { Transition } from '../invoices/review.ts';
import type { DuplicateMatch, InvoiceStatus, ReviewReason, ReviewState } from '../invoices/views.ts';
import { invoiceIdFrom, pageLimitFrom, rejectionReasonFrom, reviewStateFrom } from '../validators.ts';
import { positiveInteger, say, withFacteur } from './context.ts';
import { ownerOption } from './invoices.ts';

/** The states and reasons in the words the inbox will use. */
const STATE_WORDS: Record<ReviewState, string> = {
  to_review: 'à vérifier',
  ready: 'prête',
  approved: 'validée',
  rejected: 'rejetée',
};

const DUPLICATE_WORDS: Record<DuplicateMatch, string> = {
  file: 'même fichier',
  number: 'même fournisseur et numéro',
  date_total: 'même fournisseur, date et montant',
};

function reasonWords(reason: ReviewReason): string {
  switch (reason.code) {
    case 'ERRORS':
      return `erreurs (${reason.rules.join(', ')})`;
    case 'LOW_CONFIDENCE':
      return `lecture incertaine (${reason.terms.join(', ')})`;
    case 'UNKNOWN_CURRENCY':
      return `devise inconnue${reason.value ? ` (${reason.value})` : ''}`;
    case 'DUPLICATE':
      return `doublon de ${reason.duplicateOf} (${DUPLICATE_WORDS[reason.match ?? 'file']})`;
    case 'PRE_REVIEW':
      return 'lue avant la vérification';
  }
}

function formatRow(status: InvoiceStatus): string {
  const { invoice, review } = status;
  const state = review.state ? STATE_WORDS[review.state] : 'pas encore lue';
  const what = [
    invoice.seller,
    invoice.number && `n° ${invoice.number}`,
    invoice.totalWithVat && `${invoice.totalWithVat} ${invoice.currency ?? ''}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const why = review.reasons.length > 0 ? ` — ${review.reasons.map(reasonWords).join(', ')}` : '';
  return `${status.invoiceId}  ${state.padEnd(14)} ${what || invoice.fileName}${why}`;
}

/** One decision on one invoice, as the owner, then a sentence saying what it is now. */
async function decide(id: string, owner: string, transition: Transition, options: { version?: number; reason?: string }): Promise<void> {
  const invoiceId = invoiceIdFrom(id);
  await withFacteur(async ({ db }) => {
    const invoices = new OwnedInvoices(db, owner);
    await invoices.review(invoiceId, transition, { by: owner, ...options });
    const { review, version } = await invoices.status(invoiceId);
    const state = review.state ? STATE_WORDS[review.state] : '?';
    say(`Facture ${invoiceId} ${state}${review.reason ? ` : ${review.reason}` : ''} (version ${version}).`);
  });
}

export function registerReviewCommands(program: Command): void {
  const review = program.command('review').description('vérifier les factures lues : lister, valider, rejeter, rouvrir');

  review
    .command('list')
    .description('les factures, les plus récentes en premier, avec leur état de vérification')
    .option('--state <state>', 'to_review, ready, approved ou rejected')
    .option('--limit <n>', 'au plus tant de factures (200 au plus)', '50')
    .addOption(ownerOption())
    .option('--json', 'une ligne JSON par facture')
    .action(async (options: { state?: string; limit: string; owner: string; json?: boolean }) => {
      const state = reviewStateFrom(options.state);
      const limit = pageLimitFrom(options.limit);
      await withFacteur(async ({ db }) => {
        const page = await new OwnedInvoices(db, options.owner).list({ review: state, limit });
        if (options.json) return page.invoices.forEach((status) => console.log(JSON.stringify(status)));
        if (page.invoices.length === 0) return console.log(state ? `Aucune facture ${STATE_WORDS[state]}.` : 'Aucune facture.');
        for (const status of page.invoices) say(formatRow(status));
      });
    });

  const versionOption = ['--version <n>', 'la version vue : refusé si la facture a changé depuis'] as const;

  for (const [transition, description] of [
    ['approve', 'valider une facture à vérifier ou prête'],
    ['reopen', 'remettre à vérifier une facture validée ou rejetée'],
  ] as const) {
    review
      .command(transition)
      .description(description)
      .argument('<invoiceId>')
      .option(...versionOption, positiveInteger)
      .addOption(ownerOption())
      .action((id: string, options: { version?: number; owner: string }) =>
        decide(id, options.owner, transition, { version: options.version }),
      );
  }

  review
    .command('reject')
    .description('rejeter une facture à vérifier ou prête, en disant pourquoi')
    .argument('<invoiceId>')
    .requiredOption('--reason <reason>', 'pourquoi elle est rejetée')
    .option(...versionOption, positiveInteger)
    .addOption(ownerOption())
    .action((id: string, options: { reason: string; version?: number; owner: string }) =>
      decide(id, options.owner, 'reject', { version: options.version, reason: rejectionReasonFrom(options.reason) }),
    );
}
