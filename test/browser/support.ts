import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { vi } from 'vitest';
import { addUser } from '../../src/access/accounts.ts';
import { openFacteur } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
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
  /** Whether its pages are opened signed in (FACTEUR_BROWSER_AUTH=accounts). */
  signedIn: boolean;
  stop(): Promise<void>;
}

/**
 * FACTEUR_BROWSER_AUTH=accounts runs the suites signed in: the app in FACTEUR_AUTH=accounts, every
 * page's browser signed in as an administrator of an organisation, and the suites' own calls to the
 * API (uploads from Node) carrying a session too. Unset, the app runs with FACTEUR_AUTH=none. A
 * suite that sets FACTEUR_AUTH itself (the sign-in suite) is left as it is.
 */
const SIGNED_IN = process.env.FACTEUR_BROWSER_AUTH === 'accounts';
const TEST_ACCOUNT = {
  email: 'marie@example.org',
  organisation: 'acme',
  role: 'admin',
  password: 'un mot de passe assez long',
} as const;

/** Whose invoices the suites' pages show: the test organisation when signed in, else the local owner. */
export const PAGES_OWNER: string = SIGNED_IN ? TEST_ACCOUNT.organisation : 'local';

/** Adds the test account to the app's database before the app opens it (the embedded one has room for one process only). */
async function addTestAccount(env: Record<string, string>): Promise<void> {
  const config = loadConfig(env);
  const facteur = await openFacteur(config, createLogger('silent'));
  try {
    await addUser(facteur.db, TEST_ACCOUNT, TEST_ACCOUNT.password);
  } finally {
    await facteur.close();
  }
}

/** Signs in through the API; answers the session cookie's value. */
export async function signInAs(url: string, account: { email: string; password: string }): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  const cookie = /facteur_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '');
  if (!cookie) throw new Error(`signing in as ${account.email} answered ${response.status}`);
  return cookie[1]!;
}

/** Every fetch from the test process to the app carries the session, as the browser's requests do; answers how to undo it. */
function fetchSignedIn(url: string, session: string): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init = {}) => {
    const target = input instanceof Request ? input.url : String(input);
    if (!target.startsWith(url)) return original(input, init);
    const headers = new Headers(init.headers);
    if (!headers.has('cookie') && !headers.has('authorization')) headers.set('cookie', `facteur_session=${session}`);
    return original(input, { ...init, headers });
  };
  return () => {
    globalThis.fetch = original;
  };
}

/**
 * The production build on a free port with its own embedded database, and Debian's Chromium
 * driven by playwright-core (no downloaded browser), started with `browserArgs` besides its own.
 */
export async function startBrowserApp(env: Record<string, string> = {}, browserArgs: string[] = []): Promise<BrowserApp> {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-browser-'));
  const signedIn = SIGNED_IN && env.FACTEUR_AUTH === undefined;
  const appEnv = {
    FACTEUR_DATA_DIR: dir,
    FACTEUR_POLL_MS: '200',
    ...(signedIn ? { FACTEUR_AUTH: 'accounts', FACTEUR_WATCH_OWNER: TEST_ACCOUNT.organisation } : {}),
    ...env,
  };
  if (signedIn) await addTestAccount(appEnv);
  const server = await startServer(appEnv);
  const restoreFetch = signedIn ? fetchSignedIn(server.url, await signInAs(server.url, TEST_ACCOUNT)) : () => undefined;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...browserArgs],
  });
  return {
    server,
    browser,
    signedIn,
    async stop() {
      restoreFetch();
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
  if (app.signedIn) {
    // Through the browser context's own requests: the cookie lands in its jar, as a sign-in form's would.
    const response = await context.request.post('/api/session', { data: { email: TEST_ACCOUNT.email, password: TEST_ACCOUNT.password } });
    if (!response.ok()) throw new Error(`signing in answered ${response.status()}`);
  }
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
