import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { vi } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii, writeFacturX, writeUbl, type InvoiceContent } from '../einvoice/support/writer.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A page waits on the server, the browser and the worker at once: on a loaded CI machine the
// default second of expect.poll is too short for what takes a few hundred milliseconds when idle.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });

/** A read invoice's badge: its review state, « prête », or « à vérifier » (the samples share supplier, date and total: probable duplicates). */
export const READ_BADGE = /^(prête|à vérifier)$/;

/** Where the browser suites save a screenshot of each screen: CI keeps this folder as an artefact. */
export const SCREENSHOTS = process.env.FACTEUR_SCREENSHOTS ?? fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

export interface BrowserApp {
  server: RunningServer;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * The production build on a free port with its own embedded database, and Debian's Chromium
 * driven by playwright-core (no downloaded browser).
 */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-browser-'));
  const server = await startServer({ FACTEUR_DATA_DIR: dir, FACTEUR_POLL_MS: '200', ...env });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    server,
    browser,
    async stop() {
      await browser.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function newPage(
  app: BrowserApp,
  options: { locale?: string; width?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await app.browser.newContext({
    baseURL: app.server.url,
    locale: options.locale ?? 'fr-FR',
    viewport: { width: options.width ?? 1280, height: 900 },
  });
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Saves a measurement beside the screenshots. */
export function saveArtefact(name: string, data: unknown): void {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, name), `${JSON.stringify(data, null, 2)}\n`);
}

export interface InvoiceFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

let sequence = 0;
/** The sample invoice with a number of its own, so that no two uploads are duplicates. */
export function numberedInvoice(prefix: string): InvoiceContent {
  const invoice = sampleInvoice();
  sequence += 1;
  invoice.fields['BT-1'] = `${prefix}-${process.pid}-${sequence}`;
  return invoice;
}

export function ciiFile(invoice: InvoiceContent, name: string): InvoiceFile {
  return { name, type: 'application/xml', bytes: new TextEncoder().encode(writeCii(invoice)) };
}

export function ublFile(invoice: InvoiceContent, name: string): InvoiceFile {
  return { name, type: 'application/xml', bytes: new TextEncoder().encode(writeUbl(invoice)) };
}

export async function facturXFile(invoice: InvoiceContent, name: string): Promise<InvoiceFile> {
  return { name, type: 'application/pdf', bytes: await writeFacturX(invoice) };
}

/** An XML invoice with a DOCTYPE: accepted at upload, then refused for good by the extraction. */
export function doctypeFile(name: string): InvoiceFile {
  const xml = writeCii(numberedInvoice('DOCTYPE')).replace(
    /^(<\?xml[^>]*\?>)?/,
    (declaration) => `${declaration}<!DOCTYPE x [<!ENTITY e "e">]>`,
  );
  return { name, type: 'application/xml', bytes: new TextEncoder().encode(xml) };
}

/** Drops files on the inbox's drop zone, as a drag from the desktop does. */
export async function dropFiles(page: Page, files: InvoiceFile[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const transfer = new DataTransfer();
      for (const file of list) {
        const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: file.type }));
      }
      return transfer;
    },
    files.map((file) => ({ name: file.name, type: file.type, base64: Buffer.from(file.bytes).toString('base64') })),
  );
  await page.dispatchEvent('[data-testid=drop-zone]', 'dragover', { dataTransfer });
  await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer });
}

/**
 * Opens a page and waits until React has hydrated it (its handlers are on the DOM): the server
 * renders the inbox with its rows, and a drop or a key press before hydration would be lost.
 */
export async function openPage(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await page.waitForFunction(() => {
    const button = document.querySelector('main button');
    return button !== null && Object.keys(button).some((key) => key.startsWith('__reactProps'));
  });
}

/** The inbox row of a file. */
export const rowOf = (page: Page, fileName: string) => page.locator(`tr[data-file="${fileName}"]`);

export const euros = (amount: string, locale = 'fr-FR') =>
  new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(Number(amount));
