import { headers } from 'next/headers.js';
import { INVOICE_SOURCE_KINDS, type InvoiceSourceKind, type InvoicePage } from '../src/invoices/views.ts';
import { withApi } from '../src/http/runtime.ts';
import { Inbox } from './inbox.tsx';
import { invoiceListPath } from './invoice-list.ts';
import { requestLocale } from './locale.ts';
import { requireSignIn } from './session.ts';

export const dynamic = 'force-dynamic';

/** The first page of invoices, rendered with the page so that rows do not pop in after it; null if the API cannot answer (the browser asks again). */
async function firstPage(source: InvoiceSourceKind | ''): Promise<InvoicePage | null> {
  const request = new Request(`http://facteur.invalid${invoiceListPath({ source })}`, { headers: await headers() });
  const response = await withApi((api) => api.listInvoices(request));
  return response.ok ? ((await response.json()) as InvoicePage) : null;
}

/** `?source=folder` keeps the inbox to one way in, so that the filtered list can be bookmarked; an unknown one shows all. */
export default async function Home({ searchParams }: { searchParams: Promise<{ source?: string | string[] }> }) {
  const { source: wanted } = await searchParams;
  const source = INVOICE_SOURCE_KINDS.find((kind) => kind === wanted) ?? '';
  await requireSignIn(source ? `/?source=${source}` : '/');
  const [locale, initial] = await Promise.all([requestLocale(), firstPage(source)]);
  return <Inbox locale={locale} initial={initial} initialSource={source} />;
}
