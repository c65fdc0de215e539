import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { euros, facturXFile, newPage, numberedInvoice, screenshot, startBrowserApp, type BrowserApp, READ_BADGE } from './support.ts';

describe('the review screen, in Chromium', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('shows the fields of a generated Factur-X exactly, grouped as an invoice reads', async () => {
    const invoice = numberedInvoice('REVIEW');
    const file = await facturXFile(invoice, 'facture-revue.pdf');
    const body = new FormData();
    body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
    const uploaded = (await (await fetch(`${app.server.url}/api/upload`, { method: 'POST', body })).json()) as {
      invoices: { invoiceId: string }[];
    };
    const invoiceId = uploaded.invoices[0]!.invoiceId;
    await waitFor(
      'completed',
      async () =>
        ((await (await fetch(`${app.server.url}/api/queue/status?invoiceId=${invoiceId}`)).json()) as { status: string }).status ===
        'completed',
    );

    const { context, page } = await newPage(app);
    await page.goto(`/invoices/${invoiceId}`);
    const f = invoice.fields;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Facture ${f['BT-1']}`);
    const term = (id: string) => page.locator(`dd[data-term="${id}"]`).textContent();
    const expected: Record<string, string> = {
      'BT-1': f['BT-1']!,
      'BT-3': 'facture (380)',
      'BT-2': '15 sept. 2026',
      'BT-9': '15 oct. 2026',
      'BT-5': 'EUR',
      'BT-13': 'PO-7788',
      'BT-27': 'ATELIER DU FACTEUR SAS',
      'BT-30': '123456782',
      'BT-31': 'FR11123456782',
      'seller-address': '12 rue des Postes, 69002 Lyon, FR',
      'BT-44': 'MAISON CLIENTE SARL',
      'BT-48': 'FR44732829320',
      'buyer-address': '5 avenue du Port, 13002 Marseille, FR',
      'BT-106': euros('1260.00'),
      'BT-107': euros('50.00'),
      'BT-108': euros('10.00'),
      'BT-109': euros('1220.00'),
      'BT-110': euros('235.30'),
      'BT-112': euros('1455.30'),
      'BT-115': euros('1455.30'),
      'BT-84': 'FR7630006000011234567890189',
      'BT-86': 'AGRIFRPP',
    };
    for (const [id, text] of Object.entries(expected)) expect({ id, text: await term(id) }).toEqual({ id, text });
    expect(euros('1455.30')).toBe('1\u202f455,30\u00a0€'); // « 1 234,56 € », French spacing

    const cells = (selector: string) =>
      page
        .locator(`${selector} tbody tr`)
        .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)));
    expect(await cells('table.vat')).toEqual([
      ['taux normal (S)', '20\u202f%', euros('1160.00'), euros('232.00')],
      ['taux normal (S)', '5,5\u202f%', euros('60.00'), euros('3.30')],
    ]);
    expect(await cells('table.lines')).toEqual([
      ['1', 'Conseil (jour)', '2', euros('450.00'), euros('900.00')],
      ['2', 'Formation', '1', euros('300.00'), euros('300.00')],
      ['3', 'Livre', '3', euros('20.00'), euros('60.00')],
    ]);
    // Read from the embedded XML: nothing to flag as uncertain.
    expect(await page.locator('dd.uncertain').count()).toBe(0);
    expect(await cells('table.history')).toEqual([['1', expect.any(String), expect.stringMatching(/^\d+(,\d)?\s(ms|s)$/), 'terminé', '']]);
    // The PDF is drawn by pdf.js on canvases, never handed to the browser's viewer; the original downloads.
    await expect.poll(() => page.locator('.pdf-pages').getAttribute('data-state')).toBe('ready');
    expect(await page.locator('.pdf-pages canvas').getAttribute('aria-label')).toBe('Page 1 sur 1');
    expect(await page.locator('iframe, embed, object').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Télécharger l’original' }).getAttribute('href')).toBe(`/api/invoices/${invoiceId}/file`);
    expect(await page.getByRole('link', { name: 'Exporter en CSV' }).getAttribute('href')).toBe(
      `/api/invoices/${invoiceId}/export?format=csv`,
    );
    await screenshot(page, 'review-fr');

    // Re-process it at high priority: a second attempt appears in the history.
    await page.getByLabel('Priorité').selectOption('10');
    await page.getByRole('button', { name: 'Retraiter' }).click();
    await expect.poll(() => page.locator('table.history tbody tr').count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.locator('.review-head .badge').textContent()).toMatch(READ_BADGE);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(1_500);
    await screenshot(page, 'review-phone-fr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });
});
