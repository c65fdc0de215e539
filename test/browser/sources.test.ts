// Where each invoice came from, in the inbox: a file dropped in the watched folder (taken by the web
// server's own worker, FACTEUR_WATCH_DIR) and one dropped on the page, each labelled with its way
// in, and the « Provenance » filter kept in the address bar.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciiFile, dropFiles, newPage, numberedInvoice, openPage, rowOf, screenshot, startBrowserApp, type BrowserApp } from './support.ts';

describe('the inbox shows and filters where invoices came from', () => {
  let app: BrowserApp;
  let folder: string;

  beforeAll(async () => {
    folder = realpathSync(mkdtempSync(join(tmpdir(), 'facteur-browser-folder-')));
    app = await startBrowserApp({ FACTEUR_WATCH_DIR: folder, FACTEUR_WATCH_INTERVAL: '100ms', FACTEUR_WATCH_SETTLE: '0s' });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('labels the folder and the upload, and the filter survives a reload', async () => {
    const dropped = ciiFile(numberedInvoice('FOLDER'), 'depose.xml');
    writeFileSync(join(folder, dropped.name), dropped.bytes);
    const { context, page } = await newPage(app);
    await openPage(page);
    await dropFiles(page, [ciiFile(numberedInvoice('UPLOAD'), 'envoyee.xml')]);
    await expect.poll(() => page.getByRole('status').textContent()).toBe('1 fichier reçu.');

    // The folder's file shows up once the worker took it; a reload asks the server again.
    await expect
      .poll(async () => {
        await page.reload();
        return page.locator('tr[data-file="depose.xml"]').count();
      })
      .toBe(1);
    const fromFolder = rowOf(page, 'depose.xml').locator('.source-tag');
    expect(await fromFolder.textContent()).toBe('Dossier');
    expect(await fromFolder.getAttribute('title')).toBe(folder);
    expect(await rowOf(page, 'envoyee.xml').locator('.source-tag').textContent()).toBe('Envoi');
    await screenshot(page, 'inbox-sources');

    await openPage(page);
    await page.getByLabel('Provenance').selectOption('folder');
    await expect.poll(() => new URL(page.url()).search).toBe('?source=folder');
    await expect
      .poll(() => page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file'))))
      .toEqual(['depose.xml']);

    await page.reload();
    expect(await page.getByLabel('Provenance').inputValue()).toBe('folder');
    expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file')))).toEqual(['depose.xml']);

    await openPage(page, '/?source=upload');
    expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file')))).toEqual(['envoyee.xml']);
    await page.getByLabel('Provenance').selectOption('');
    await expect.poll(() => new URL(page.url()).search).toBe('');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await context.close();
  });
});
