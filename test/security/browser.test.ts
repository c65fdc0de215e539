// Files that cannot act, and pages that run only their own scripts, tried in Chromium against the
// production build (issue 13, points 3 and 6): a PDF whose JavaScript would call home, an XML
// invoice carrying markup, a page on another name re-pointed at the server (DNS rebinding), and
// the Content-Security-Policy every page carries.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciiFile, newPage, numberedInvoice, startBrowserApp, type BrowserApp, type InvoiceFile } from '../browser/support.ts';

/**
 * A one-page PDF whose JavaScript runs as soon as a viewer that runs scripts opens it (the
 * catalogue's OpenAction, the page's open action and the document-level scripts all name it).
 */
function pdfWithJavaScript(script: string): Uint8Array {
  const text = 'BT /F1 24 Tf 72 760 Td (Facture piegee) Tj ET';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /Names << /JavaScript << /Names [(open) 5 0 R] >> >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> /AA << /O 5 0 R >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    `<< /Type /Action /S /JavaScript /JS (${script.replace(/[\\()]/g, (c) => `\\${c}`)}) >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.7\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

/** Records, in the page, every Content-Security-Policy violation from its first script on. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

describe('files that cannot act, and pages that run only their own scripts (Chromium)', () => {
  let app: BrowserApp;
  let port: string;
  // Where the hostile files try to call home: any request here means their code ran.
  let home: Server;
  let homeUrl: string;
  const calls: string[] = [];

  beforeAll(async () => {
    home = createServer((request, response) => {
      calls.push(request.url ?? '');
      response.end('ok');
    });
    await new Promise<void>((resolve) => home.listen(0, '127.0.0.1', resolve));
    homeUrl = `http://127.0.0.1:${(home.address() as AddressInfo).port}`;
    app = await startBrowserApp({}, ['--host-resolver-rules=MAP evil.test 127.0.0.1']);
    port = new URL(app.server.url).port;
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => home?.close(resolve));
  });

  const upload = async (file: InvoiceFile): Promise<string> => {
    const body = new FormData();
    body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
    const response = await fetch(`${app.server.url}/api/upload`, { method: 'POST', body });
    expect(response.status).toBe(201);
    return ((await response.json()) as { invoices: { invoiceId: string }[] }).invoices[0]!.invoiceId;
  };

  it('draws a PDF with JavaScript on a canvas, and its script never runs', async () => {
    const script = `app.launchURL("${homeUrl}/launch", true); this.submitForm("${homeUrl}/submit"); this.getURL("${homeUrl}/get"); try { document.title = "pwned"; } catch (e) {} fetch("${homeUrl}/fetch");`;
    const invoiceId = await upload({ name: 'piege.pdf', type: 'application/pdf', bytes: pdfWithJavaScript(script) });

    const { context, page } = await newPage(app);
    await recordViolations(page);
    await page.goto(`/invoices/${invoiceId}`);
    await expect.poll(() => page.locator('.pdf-pages').getAttribute('data-state')).toBe('ready');
    // The page was drawn (some dark pixels: its text), on a canvas, with no viewer of the browser's own.
    const inked = await page.locator('.pdf-pages canvas').evaluate((canvas: HTMLCanvasElement) =>
      canvas
        .getContext('2d')!
        .getImageData(0, 0, canvas.width, canvas.height)
        .data.some((value, i) => i % 4 !== 3 && value < 128),
    );
    expect(inked).toBe(true);
    expect(await page.locator('iframe, embed, object').count()).toBe(0);
    await page.waitForTimeout(1_000);
    expect(calls).toEqual([]);
    expect(await page.title()).toBe('Facteur');
    expect(await violations(page)).toEqual([]);

    // The original is a download, never a page at the app's URL.
    const file = await fetch(`${app.server.url}/api/invoices/${invoiceId}/file`);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Télécharger l’original' }).click();
    expect((await download).suggestedFilename()).toBe('piege.pdf');
    expect(page.url()).toBe(`${app.server.url}/invoices/${invoiceId}`);
    await context.close();
  });

  it('shows an XML invoice as text: markup inside it is escaped, never run', async () => {
    const invoice = numberedInvoice('XML-TEXT');
    const markup = `<img src="${homeUrl}/img" onerror="fetch('${homeUrl}/onerror')">`;
    invoice.fields['BT-22'] = markup;
    invoice.notes = [{ 'BT-22': markup }];
    const invoiceId = await upload(ciiFile(invoice, 'balisage.xml'));

    const { context, page } = await newPage(app);
    await recordViolations(page);
    await page.goto(`/invoices/${invoiceId}`);
    await expect.poll(() => page.locator('.xml-source').textContent()).toContain('CrossIndustryInvoice');
    expect(await page.locator('.xml-source').textContent()).toContain('&lt;img src=');
    expect(await page.locator('.xml-source *').count()).toBe(0);
    await page.waitForTimeout(500);
    expect(calls).toEqual([]);
    expect(await violations(page)).toEqual([]);
    await context.close();
  });

  it('refuses at upload an XML page that is not an invoice (an XHTML « session expired » page)', async () => {
    const page = `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Session expirée</p><img src="${homeUrl}/xhtml"/></body></html>`;
    const body = new FormData();
    body.append('file', new Blob([page]), 'session.xml');
    const response = await fetch(`${app.server.url}/api/upload`, { method: 'POST', body });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const list = (await (await fetch(`${app.server.url}/api/invoices?q=session`)).json()) as { invoices: unknown[] };
    expect(list.invoices).toEqual([]);
  });

  it('gives every page a policy with a fresh nonce that its scripts carry, and runs no other script', async () => {
    const answers = await Promise.all([fetch(`${app.server.url}/`), fetch(`${app.server.url}/`)]);
    const nonces = await Promise.all(
      answers.map(async (answer) => {
        const policy = answer.headers.get('content-security-policy') ?? '';
        expect(policy).toContain("frame-ancestors 'none'");
        expect(policy).toContain("object-src 'none'");
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
        expect(answer.headers.get('x-frame-options')).toBe('DENY');
        const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
        expect(nonce).toBeDefined();
        const html = await answer.text();
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
        expect(scripts.length).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
        return nonce;
      }),
    );
    expect(nonces[0]).not.toBe(nonces[1]);
    const api = await fetch(`${app.server.url}/api/queue/stats`);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');

    // The inbox and the dashboard work under the policy (hydrated, live, no violation), and a
    // script injected without the nonce is refused.
    const { context, page } = await newPage(app);
    await recordViolations(page);
    for (const path of ['/', '/queue']) {
      await page.goto(path);
      await page.waitForFunction(() => {
        const button = document.querySelector('main button, main select');
        return button !== null && Object.keys(button).some((key) => key.startsWith('__react'));
      });
      await page.waitForTimeout(500);
      expect({ path, violations: await violations(page) }).toEqual({ path, violations: [] });
    }
    // The usual injection: markup with an inline handler, put in the page by a script.
    const ran = await page.evaluate(async () => {
      const trap = document.createElement('div');
      trap.innerHTML = '<img src="/missing.png" onerror="window.injected = true">';
      document.body.append(trap);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return (window as unknown as { injected?: boolean }).injected ?? false;
    });
    expect(ran).toBe(false);
    expect((await violations(page)).some((v) => v.startsWith('script-src'))).toBe(true);
    await context.close();
  });

  // DNS rebinding: a page at http://evil.test:PORT (the attacker's name, re-pointed at 127.0.0.1)
  // is same-origin with whatever answers there. The Host check (FACTEUR_AUTH=none answers 421 to
  // any Host but localhost, 127.0.0.1 and [::1]) is what stops it from reading the invoices.
  it('answers a page at another name (DNS rebinding) 421, and it reads no invoice', async () => {
    const invoiceId = await upload(ciiFile(numberedInvoice('REBIND'), 'secret-rebinding.xml'));
    const { context, page } = await newPage(app);
    await page.goto(`http://evil.test:${port}/`);
    const read = await page.evaluate(async (id) => {
      const answers = await Promise.all(
        ['/api/invoices', `/api/invoices/${id}`, `/api/invoices/${id}/file`, '/api/queue/stats'].map(async (path) => {
          const response = await fetch(path);
          return { path, status: response.status, body: await response.text() };
        }),
      );
      return answers;
    }, invoiceId);
    for (const answer of read) {
      expect({ path: answer.path, status: answer.status }).toEqual({ path: answer.path, status: 421 });
      expect(answer.body).not.toContain('secret-rebinding');
      expect(answer.body).not.toContain('CrossIndustryInvoice');
    }
    await context.close();
  });
});
