import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import {
  ciiFile,
  doctypeFile,
  dropFiles,
  euros,
  facturXFile,
  newPage,
  numberedInvoice,
  openPage,
  rowOf,
  saveArtefact,
  screenshot,
  startBrowserApp,
  ublFile,
  type BrowserApp,
  READ_BADGE,
} from './support.ts';

const TOTAL = sampleInvoice().fields['BT-112']!;

describe('the inbox, in Chromium, on the production build', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('drops three generated invoices: each row reaches its review state with its total, live, without a reload', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);

    // What a visit costs: bytes over the wire and first contentful paint, on a cold server (the
    // first page it renders) and again on a new browser context (nothing cached) once warm.
    const measure = () =>
      page.evaluate(() => {
        const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        return {
          transferredBytes: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
          decodedBytes: navigation.decodedBodySize + resources.reduce((sum, r) => sum + r.decodedBodySize, 0),
          requests: 1 + resources.length,
          firstContentfulPaintMs: paint ? Math.round(paint.startTime) : null,
          domContentLoadedMs: Math.round(navigation.domContentLoadedEventEnd),
          resources: [
            { name: '/', transferSize: navigation.transferSize },
            ...resources.map((r) => ({ name: new URL(r.name).pathname, transferSize: r.transferSize })),
          ],
        };
      });
    const cold = await measure();
    const warm = await newPage(app);
    await openPage(warm.page);
    const metrics = {
      cold,
      warm: await warm.page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null),
    };
    await warm.context.close();
    saveArtefact('inbox-metrics.json', metrics);
    console.log('inbox, first visit:', { ...cold, resources: undefined }, 'warm first contentful paint:', metrics.warm);
    expect(cold.firstContentfulPaintMs).not.toBeNull();
    await screenshot(page, 'inbox-empty-fr');

    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const files = [
      ciiFile(numberedInvoice('CII'), 'facture-cii.xml'),
      ublFile(numberedInvoice('UBL'), 'facture-ubl.xml'),
      await facturXFile(numberedInvoice('FX'), 'facture-facturx.pdf'),
    ];
    await dropFiles(page, files);

    for (const file of files) {
      const row = rowOf(page, file.name);
      await expect.poll(() => row.locator('.badge').textContent(), { timeout: 30_000 }).toMatch(READ_BADGE);
      expect(await row.locator('.col-total').textContent()).toBe(euros(TOTAL));
      expect(await row.locator('.col-seller').textContent()).toBe('ATELIER DU FACTEUR SAS');
      expect(await row.locator('.col-date').textContent()).toBe('15 sept. 2026');
    }
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('3 fichiers reçus.');
    await screenshot(page, 'inbox-fr');

    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, 'inbox-phone-fr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });

  it('uploads with the file picker opened from the keyboard, closes the page, and a new page shows the invoice read', async () => {
    const first = await newPage(app);
    await openPage(first.page);
    const file = ciiFile(numberedInvoice('CLOSE'), 'facture-fermee.xml');
    const uploaded = first.page.waitForResponse((response) => response.url().endsWith('/api/upload'));
    // From the keyboard: focus the drop zone's button, press Enter, the file picker opens.
    // locator.press focuses and presses in one step: a re-render between the two cannot lose the focus.
    const chooser = first.page.waitForEvent('filechooser');
    await first.page.getByRole('button', { name: 'Choisir des fichiers' }).press('Enter');
    await (await chooser).setFiles({ name: file.name, mimeType: file.type, buffer: Buffer.from(file.bytes) });
    expect((await uploaded).status()).toBe(201);
    await first.page.close();
    await first.context.close();

    const second = await newPage(app);
    await openPage(second.page);
    await expect.poll(() => rowOf(second.page, file.name).locator('.badge').textContent(), { timeout: 30_000 }).toMatch(READ_BADGE);
    expect(await rowOf(second.page, file.name).locator('.col-total').textContent()).toBe(euros(TOTAL));
    await second.context.close();
  });

  it('a broken file ends « échec » with its reason in plain French, and « Relancer » queues it again', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const broken = doctypeFile('facture-cassee.xml');
    await dropFiles(page, [broken]);
    const row = rowOf(page, broken.name);
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 30_000 }).toBe('échec');
    expect(await row.locator('.reason').textContent()).toBe('Le fichier XML contient une déclaration DOCTYPE, refusée par sécurité.');
    await screenshot(page, 'inbox-failed-fr');

    const invoiceId = await row.getAttribute('data-invoice');
    const streamed = page.waitForRequest((request) => request.url().endsWith(`/api/queue/events?invoiceId=${invoiceId}`));
    const retried = page.waitForResponse((response) => response.url().endsWith(`/api/invoices/${invoiceId}/retry`));
    await row.getByRole('button', { name: /^Relancer/ }).click();
    expect((await retried).status()).toBe(200);
    await streamed; // the queued job is followed live, over Server-Sent Events
    // A second attempt runs, and fails again for the same reason.
    await expect
      .poll(
        async () => ((await (await fetch(`${app.server.url}/api/invoices/${invoiceId}`)).json()) as { history: unknown[] }).history.length,
        { timeout: 30_000 },
      )
      .toBe(2);
    await expect.poll(() => row.locator('.badge').textContent(), { timeout: 30_000 }).toBe('échec');
    // « Relancer » says how it ended, and the history numbers the two attempts 1 and 2.
    await expect
      .poll(() => page.locator('.notice').textContent())
      .toBe('facture-cassee.xml\u202f: la relance a de nouveau échoué (motif sur la ligne).');
    await page.goto(`/invoices/${invoiceId}`);
    await expect.poll(() => page.locator('table.history tbody tr td:first-child').allTextContents()).toEqual(['1', '2']);
    await context.close();
  });

  it('filters by status and searches by supplier or number', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const files = () => page.locator('tr[data-invoice]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file')));
    await expect.poll(files).toHaveLength(5);
    await page.getByLabel('Statut').selectOption('failed');
    await expect.poll(files).toEqual(['facture-cassee.xml']);
    await page.getByLabel('Statut').selectOption('');
    await page.getByLabel('Rechercher un fournisseur ou un numéro').fill('CLOSE-');
    await expect.poll(files).toEqual(['facture-fermee.xml']);
    await page.getByLabel('Rechercher un fournisseur ou un numéro').fill('atelier du');
    await expect.poll(files).toHaveLength(4);
    await context.close();
  });
});
