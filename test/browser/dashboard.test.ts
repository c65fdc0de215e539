import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import {
  ciiFile,
  doctypeFile,
  newPage,
  numberedInvoice,
  screenshot,
  startBrowserApp,
  type BrowserApp,
  type InvoiceFile,
} from './support.ts';

describe('the queue dashboard, in Chromium', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const upload = async (file: InvoiceFile) => {
    const body = new FormData();
    body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
    const result = (await (await fetch(`${app.server.url}/api/upload`, { method: 'POST', body })).json()) as {
      invoices: { invoiceId: string }[];
    };
    return result.invoices[0]!.invoiceId;
  };
  const settled = (invoiceId: string) =>
    waitFor('a final status', async () => {
      const status = ((await (await fetch(`${app.server.url}/api/queue/status?invoiceId=${invoiceId}`)).json()) as { status: string })
        .status;
      return status === 'completed' || status === 'failed';
    });

  it('shows the counts after a known sequence: three done, one failed; « Tout relancer » re-queues the failed one', async () => {
    const good = await Promise.all([1, 2, 3].map((n) => upload(ciiFile(numberedInvoice('DASH'), `tableau-${n}.xml`))));
    const broken = await upload(doctypeFile('tableau-cassee.xml'));
    for (const id of [...good, broken]) await settled(id);

    const { context, page } = await newPage(app);
    await page.goto('/queue');
    const count = (status: string) => page.locator(`.card[data-status=${status}] .count`).textContent();
    await expect.poll(() => count('completed')).toBe('3');
    expect(await count('failed')).toBe('1');
    expect(await count('pending')).toBe('0');
    expect(await count('processing')).toBe('0');
    expect(
      await page.locator('.chart-frame[data-total]').evaluateAll((charts) => charts.map((chart) => chart.getAttribute('data-total'))),
    ).toEqual(['3', '1']);
    await expect.poll(() => page.locator('.chart-frame canvas').count()).toBe(2);
    expect(await page.locator('[data-metric=median] .count').textContent()).toMatch(/^\d+(,\d)?\s(ms|s)$/);
    const failed = page.locator('.failed-list li');
    expect(await failed.count()).toBe(1);
    expect(await failed.locator('.reason').textContent()).toBe('Le fichier XML contient une déclaration DOCTYPE, refusée par sécurité.');
    expect(await page.locator('table.workers tbody tr').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'queue-fr');

    await page.getByRole('button', { name: 'Tout relancer' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('1 facture relancée.');
    // It fails again, for the same reason: two attempts now, and the failure chart counts both.
    await settled(broken);
    await expect
      .poll(
        () => page.locator('.chart-frame[data-total]').evaluateAll((charts) => charts.map((chart) => chart.getAttribute('data-total'))),
        { timeout: 15_000 },
      )
      .toEqual(['3', '2']);
    // The counts and the charts are separate reads of one refresh: the counts may trail by one.
    await expect.poll(() => count('failed')).toBe('1');
    expect(await count('completed')).toBe('3');

    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300);
    await screenshot(page, 'queue-phone-fr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });
});
