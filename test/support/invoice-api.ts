// The invoice API as the HTTP suites call it on a running server: JSON in and out, and an upload
// that waits until the invoice is read.
import { expect } from 'vitest';
import type { InvoiceDetail } from '../../src/invoices/views.ts';
import { waitFor } from './wait.ts';

export type ApiAnswer<T> = { status: number; body: T & { error?: { code: string; message: string } } };

/** `baseUrl` is read at each call: the server is started in a `beforeAll`. */
export function invoiceApi(baseUrl: () => string) {
  const call = async <T = InvoiceDetail>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer<T>> => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
    });
    return { status: response.status, body: (await response.json()) as ApiAnswer<T>['body'] };
  };

  /** Uploads the bytes and waits until the invoice is read; answers its detail. */
  const uploaded = async (bytes: Uint8Array, fileName = 'facture.xml'): Promise<InvoiceDetail> => {
    const body = new FormData();
    body.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), fileName);
    const response = await fetch(`${baseUrl()}/api/upload`, { method: 'POST', body });
    expect(response.status).toBe(201);
    const { invoices } = (await response.json()) as { invoices: { invoiceId: string }[] };
    return waitFor(
      'read',
      async () => {
        const detail = (await call(`/api/invoices/${invoices[0]!.invoiceId}`)).body;
        return detail.status === 'completed' && detail;
      },
      30_000,
    );
  };

  return { call, uploaded };
}
