import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickLocale } from '../../app/i18n.ts';
import { waitFor } from '../support/wait.ts';
import {
  ciiFile,
  doctypeFile,
  euros,
  newPage,
  numberedInvoice,
  rowOf,
  screenshot,
  startBrowserApp,
  type BrowserApp,
  type InvoiceFile,
} from './support.ts';

describe('the interface picks its language from the browser', () => {
  it('French by default; English when the browser prefers it over French', () => {
    expect(pickLocale(null)).toBe('fr');
    expect(pickLocale('de-DE,de;q=0.9')).toBe('fr');
    expect(pickLocale('en-GB,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(pickLocale('de-DE,en;q=0.5,fr;q=0.7')).toBe('fr');
    expect(pickLocale('fr-CA')).toBe('fr');
    expect(pickLocale('en-US;q=0,fr;q=0.1')).toBe('fr');
  });
});

describe('English rendering, in Chromium', () => {
  let app: BrowserApp;
  let good: string;
  let invoiceNumber: string;

  const upload = async (file: InvoiceFile) => {
    const body = new FormData();
    body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
    const result = (await (await fetch(`${app.server.url}/api/upload`, { method: 'POST', body })).json()) as {
      invoices: { invoiceId: string }[];
    };
    const invoiceId = result.invoices[0]!.invoiceId;
    await waitFor('a final status', async () => {
      const status = ((await (await fetch(`${app.server.url}/api/queue/status?invoiceId=${invoiceId}`)).json()) as { status: string })
        .status;
      return status === 'completed' || status === 'failed';
    });
    return invoiceId;
  };

  beforeAll(async () => {
    app = await startBrowserApp();
    const invoice = numberedInvoice('EN');
    invoiceNumber = invoice.fields['BT-1']!;
    good = await upload(ciiFile(invoice, 'invoice.xml'));
    await upload(doctypeFile('broken.xml'));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('renders the inbox, the review screen and the dashboard in English with English formats', async () => {
    const { context, page } = await newPage(app, { locale: 'en-GB' });
    await page.goto('/');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Invoices received');
    const row = rowOf(page, 'invoice.xml');
    await expect.poll(() => row.locator('.badge').textContent()).toMatch(/^(ready|to review)$/);
    expect(await row.locator('.col-total').textContent()).toBe(euros('1455.30', 'en-GB'));
    expect(await row.locator('.col-total').textContent()).toBe('€1,455.30');
    expect(await row.locator('.col-date').textContent()).toBe('15 Sept 2026');
    expect(await rowOf(page, 'broken.xml').locator('.reason').textContent()).toBe(
      'The XML file has a DOCTYPE declaration, refused for safety.',
    );
    expect(
      await rowOf(page, 'broken.xml')
        .getByRole('button', { name: /^Retry/ })
        .count(),
    ).toBe(1);
    await screenshot(page, 'inbox-en');

    await page.goto(`/invoices/${good}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Invoice ${invoiceNumber}`);
    expect(await page.locator('dd[data-term="BT-112"]').textContent()).toBe('€1,455.30');
    expect(await page.locator('dd[data-term="BT-2"]').textContent()).toBe('15 Sept 2026');
    expect(await page.getByRole('heading', { name: 'VAT breakdown' }).count()).toBe(1);
    await screenshot(page, 'review-en');

    await page.goto('/queue');
    await expect.poll(() => page.locator('.card[data-status=completed] .label').textContent()).toContain('done');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Processing queue');
    expect(await page.getByRole('button', { name: 'Retry all' }).count()).toBe(1);
    await expect.poll(() => page.locator('.chart-frame canvas').count()).toBe(2);
    await screenshot(page, 'queue-en');
    await context.close();
  });
});
