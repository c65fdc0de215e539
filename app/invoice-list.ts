import type { InvoiceSourceKind, Status } from './i18n.ts';

/** Invoices per page of the inbox. */
export const PAGE_SIZE = 50;

/** The path of one page of the invoice list, as the inbox asks for it (server render and browser alike). */
export function invoiceListPath(
  options: { status?: Status | ''; source?: InvoiceSourceKind | ''; search?: string; cursor?: string | null } = {},
): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (options.status) params.set('status', options.status);
  if (options.source) params.set('source', options.source);
  if (options.search) params.set('q', options.search);
  if (options.cursor) params.set('cursor', options.cursor);
  return `/api/invoices?${params}`;
}
