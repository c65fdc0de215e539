import type { ReviewState } from '../src/invoices/views.ts';
import type { InvoiceSourceKind, Status } from './i18n.ts';

/** Invoices per page of the inbox. */
export const PAGE_SIZE = 50;

/** What the inbox is narrowed to; every one of them is kept in the page's URL under the same name as in the API. */
export interface InboxFilters {
  review: ReviewState | '';
  status: Status | '';
  source: InvoiceSourceKind | '';
  supplier: string;
  /** Invoice dates (BT-2), YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  q: string;
}

export const NO_FILTERS: InboxFilters = { review: '', status: '', source: '', supplier: '', from: '', to: '', q: '' };

export const REVIEW_STATES: readonly ReviewState[] = ['to_review', 'ready', 'approved', 'rejected'];
const STATUSES: readonly Status[] = ['pending', 'processing', 'completed', 'failed'];
const SOURCES: readonly InvoiceSourceKind[] = ['upload', 'api', 'cli', 'folder', 'mailbox', 'webhook'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters a URL's query asks for; a value the API would refuse is dropped (the page shows all rather than an error). */
export function filtersFrom(params: Record<string, string | string[] | undefined> | URLSearchParams): InboxFilters {
  const get = (name: string) => {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    return typeof value === 'string' ? value : '';
  };
  const pick = <T extends string>(value: string, choices: readonly T[]): T | '' => choices.find((c) => c === value) ?? '';
  return {
    review: pick(get('review'), REVIEW_STATES),
    status: pick(get('status'), STATUSES),
    source: pick(get('source'), SOURCES),
    supplier: get('supplier').trim().slice(0, 200),
    from: DATE.test(get('from')) ? get('from') : '',
    to: DATE.test(get('to')) ? get('to') : '',
    q: get('q').trim().slice(0, 200),
  };
}

/** The query of the filters that are set, in a stable order: the inbox's URL and the API's alike. */
export function filterQuery(filters: InboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
  return params;
}

/** The path of one page of the invoice list, as the inbox asks for it (server render and browser alike). */
export function invoiceListPath(filters: InboxFilters = NO_FILTERS, cursor: string | null = null): string {
  const params = filterQuery(filters);
  params.set('limit', String(PAGE_SIZE));
  if (cursor) params.set('cursor', cursor);
  return `/api/invoices?${params}`;
}

/**
 * Where « Exporter » sends the selection: one invoice's own export, or the exports API (issue 15)
 * with the ids chosen (exported whatever their period or review state), as French CSV.
 */
export function exportPath(ids: readonly string[]): string {
  if (ids.length === 1) return `/api/invoices/${ids[0]}/export?format=csv`;
  return `/api/exports?${new URLSearchParams({ format: 'csv-fr', ids: ids.join(',') })}`;
}

/** The invoices the inbox listed, in order, for j / k on the review screen (kept for the browser tab). */
export const WORKLIST_KEY = 'facteur:worklist';
