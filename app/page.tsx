import { headers } from 'next/headers.js';
import type { InvoicePage } from '../src/invoices/views.ts';
import { withApi } from '../src/http/runtime.ts';
import { Inbox } from './inbox.tsx';
import { invoiceListPath } from './invoice-list.ts';
import { requestLocale } from './locale.ts';

export const dynamic = 'force-dynamic';

/** The first page of invoices, rendered with the page so that rows do not pop in after it; null if the API cannot answer (the browser asks again). */
async function firstPage(): Promise<InvoicePage | null> {
  const request = new Request(`http://facteur.invalid${invoiceListPath()}`, { headers: await headers() });
  const response = await withApi((api) => api.listInvoices(request));
  return response.ok ? ((await response.json()) as InvoicePage) : null;
}

export default async function Home() {
  const [locale, initial] = await Promise.all([requestLocale(), firstPage()]);
  return <Inbox locale={locale} initial={initial} />;
}
