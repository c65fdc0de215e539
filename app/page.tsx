import { headers } from 'next/headers.js';
import type { InvoicePage } from '../src/invoices/views.ts';
import { withApi } from '../src/http/runtime.ts';
import { Inbox } from './inbox.tsx';
import { filterQuery, filtersFrom, invoiceListPath, type InboxFilters } from './invoice-list.ts';
import { requestLocale } from './locale.ts';
import { requireSignIn } from './session.ts';

export const dynamic = 'force-dynamic';

/** The first page of invoices, rendered with the page so that rows do not pop in after it; null if the API cannot answer (the browser asks again). */
async function firstPage(filters: InboxFilters): Promise<InvoicePage | null> {
  const request = new Request(`http://facteur.invalid${invoiceListPath(filters)}`, { headers: await headers() });
  const response = await withApi((api) => api.listInvoices(request));
  return response.ok ? ((await response.json()) as InvoicePage) : null;
}

/**
 * The filters are in the URL (`?review=to_review&supplier=…&from=…&to=…`), so that a filtered
 * inbox can be bookmarked, reloaded and shared; a value the API would refuse shows all instead.
 */
export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const filters = filtersFrom(await searchParams);
  const query = filterQuery(filters).toString();
  await requireSignIn(query ? `/?${query}` : '/');
  const [locale, initial] = await Promise.all([requestLocale(), firstPage(filters)]);
  return <Inbox locale={locale} initial={initial} initialFilters={filters} />;
}
