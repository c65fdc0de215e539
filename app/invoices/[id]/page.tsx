import { requestLocale } from '../../locale.ts';
import { requireSignIn } from '../../session.ts';
import { InvoiceReview } from './review.tsx';

export const dynamic = 'force-dynamic';

export default async function InvoicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireSignIn(`/invoices/${encodeURIComponent(id)}`);
  return <InvoiceReview locale={await requestLocale()} invoiceId={id} />;
}
