// The export page in Chromium, on the embedded database (PGlite): an approved invoice of a chosen
// month downloaded as the French CSV and as the workbook, what an accountant does at month's end.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';
import { ciiFile, newPage, numberedInvoice, screenshot, startBrowserApp, type BrowserApp } from './support.ts';

describe('the export page, in Chromium', () => {
  let app: BrowserApp;
  let number: string;

  beforeAll(async () => {
    app = await startBrowserApp();
    const invoice = numberedInvoice('EXP');
    number = invoice.fields['BT-1']!;
    const file = ciiFile(invoice, 'export.xml');
    const body = new FormData();
    body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
    const { invoices } = (await (await fetch(`${app.server.url}/api/upload`, { method: 'POST', body })).json()) as {
      invoices: { invoiceId: string }[];
    };
    const invoiceId = invoices[0]!.invoiceId;
    await waitFor('the invoice to be read', async () => {
      const status = (await (await fetch(`${app.server.url}/api/invoices/${invoiceId}/status`)).json()) as { status: string };
      return status.status === 'completed';
    });
    const approved = await fetch(`${app.server.url}/api/invoices/${invoiceId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(approved.status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('downloads the month’s approved invoices as the French CSV, then as a workbook', async () => {
    const { context, page } = await newPage(app);
    await page.goto('/exports');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Exporter les factures');
    expect(await page.getByLabel('approuvées').isChecked()).toBe(true);
    await page.getByLabel('Du').fill('2026-09-01');
    await page.getByLabel('Au').fill('2026-09-30');
    await screenshot(page, 'exports');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger' }).click()]);
    expect(csv.suggestedFilename()).toBe('factures-2026-09-01_2026-09-30.csv');
    const rows = readFileSync((await csv.path())!, 'utf8')
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows).toHaveLength(2);
    expect(rows[1]!.split(';').slice(0, 3)).toEqual(['Facture', number, '15/09/2026']);

    await page.getByLabel('Format').selectOption('xlsx');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger' }).click()]);
    expect(xlsx.suggestedFilename()).toBe('factures-2026-09-01_2026-09-30.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await xlsx.path())!) as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('Factures')!.getRow(2).getCell(2).value).toBe(number);
    await context.close();
  });
});
