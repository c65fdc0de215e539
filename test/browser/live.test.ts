// How the inbox follows an invoice that waits in the queue: over Server-Sent Events, or by polling
// when the stream is unavailable, slowly after 5 minutes. The app runs with no in-process worker
// on the PostgreSQL server, the job is queued behind its back, and a tick of the worker endpoint
// runs it when the test says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { numberedInvoice, rowOf, READ_BADGE } from './support.ts';

const CRON_SECRET = 'live-secret';

describe('live status in the inbox', () => {
  let db: TestDb;
  let app: RunningServer;
  let browser: Browser;
  let sequence = 0;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    app = await startServer({ DATABASE_URL: db.url!, FACTEUR_WORKER: 'none', CRON_SECRET });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db?.drop();
  });

  const queued = async () => {
    sequence += 1;
    const name = `attente-${sequence}.xml`;
    const file = acceptFile(name, new TextEncoder().encode(writeCii(numberedInvoice('LIVE'))), 1_000_000);
    await storeInvoices(db.db, new Queue(db.db), 'local', [file], { source: { kind: 'upload', details: {} } });
    return name;
  };
  const tick = () => fetch(`${app.url}/api/queue/worker`, { headers: { authorization: `Bearer ${CRON_SECRET}` } });

  it('moves a waiting invoice to « terminée » as soon as the stream says so', async () => {
    const name = await queued();
    const context = await browser.newContext({ baseURL: app.url, locale: 'fr-FR' });
    const page = await context.newPage();
    const streamed = page.waitForRequest((request) => request.url().includes('/api/queue/events'));
    await page.goto('/');
    await expect.poll(() => rowOf(page, name).locator('.badge').textContent()).toBe('en attente');
    await streamed;
    await tick();
    // Well under the 5 s of a poll: the stream carried it.
    await expect.poll(() => rowOf(page, name).locator('.badge').textContent(), { timeout: 3_000 }).toMatch(READ_BADGE);
    await context.close();
  });

  it('without the stream, polls /api/queue/status every 5 s, and every 30 s after 5 minutes', async () => {
    const name = await queued();
    const context = await browser.newContext({ baseURL: app.url, locale: 'fr-FR' });
    const page = await context.newPage();
    await page.route('**/api/queue/events**', (route) => route.abort());
    const polls: number[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/queue/status')) polls.push(Date.now());
    });
    await page.clock.install();
    await page.goto('/');
    await expect.poll(() => rowOf(page, name).locator('.badge').textContent()).toBe('en attente');
    expect(await page.getByText('Mise à jour en direct').count()).toBe(1);

    await page.clock.fastForward(5_100);
    await expect.poll(() => polls.length).toBeGreaterThanOrEqual(1);
    await tick();
    await page.clock.fastForward(5_100);
    await expect.poll(() => rowOf(page, name).locator('.badge').textContent()).toMatch(READ_BADGE);

    // A second invoice, followed past 5 minutes: the page slows down instead of giving up.
    const late = await queued();
    await page.reload();
    await expect.poll(() => rowOf(page, late).locator('.badge').textContent()).toBe('en attente');
    for (let minute = 0; minute < 6; minute += 1) {
      await page.clock.fastForward(60_000);
      await page.waitForTimeout(50);
    }
    await expect.poll(() => page.getByText('Mise à jour toutes les 30 s').count()).toBe(1);
    await tick();
    await page.clock.fastForward(30_100);
    await expect.poll(() => rowOf(page, late).locator('.badge').textContent()).toMatch(READ_BADGE);
    await context.close();
  });
});
