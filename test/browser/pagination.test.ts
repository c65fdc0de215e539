import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciiFile, newPage, numberedInvoice, openPage, startBrowserApp, type BrowserApp } from './support.ts';

const INVOICES = 120;

describe('the inbox pages through many invoices', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
    // Five files per request, as many requests as needed: the upload's own limit.
    const files = Array.from({ length: INVOICES }, (_, i) => ciiFile(numberedInvoice('PAGE'), `page-${String(i).padStart(3, '0')}.xml`));
    for (let i = 0; i < files.length; i += 5) {
      const body = new FormData();
      for (const file of files.slice(i, i + 5)) body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>]), file.name);
      const response = await fetch(`${app.server.url}/api/upload`, { method: 'POST', body });
      expect(response.status).toBe(201);
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('50 at a time, newest first, forwards and back', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const files = () => page.locator('tr[data-invoice]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file')));
    await expect.poll(async () => (await files()).length).toBe(50);
    const first = await files();
    const next = page.getByRole('button', { name: 'Suivante ›' });
    const previous = page.getByRole('button', { name: '‹ Précédente' });
    await next.click();
    await expect.poll(async () => (await files())[0]).not.toBe(first[0]);
    const second = await files();
    await next.click();
    await expect.poll(files).toHaveLength(20);
    const third = await files();
    expect(await next.isDisabled()).toBe(true);
    // Every invoice once, newest first (one upload request's files share their time: any order among them).
    const seen = [...first, ...second, ...third];
    expect(new Set(seen).size).toBe(INVOICES);
    const batch = (name: string | null) => Math.floor(Number(name!.slice(5, 8)) / 5);
    expect(seen.map(batch)).toEqual([...seen.map(batch)].sort((a, b) => b - a));
    await previous.click();
    await expect.poll(files).toEqual(second);
    await previous.click();
    await expect.poll(files).toEqual(first);
    expect(await previous.isDisabled()).toBe(true);
    await context.close();
  });
});
