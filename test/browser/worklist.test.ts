// The accountant's inbox in Chromium on the production build: review badges, filters kept in the
// URL, multi-select and keyboard decisions, credit notes negative whichever way they were read,
// duplicates linked to their original, refused files that stay after a reload, findings in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printInvoice, SAMPLES } from '../einvoice/support/printed.ts';
import type { InvoiceContent } from '../einvoice/support/writer.ts';
import {
  ciiFile,
  dropFiles,
  euros,
  newPage,
  numberedInvoice,
  openPage,
  rowOf,
  screenshot,
  startBrowserApp,
  type BrowserApp,
  type InvoiceFile,
} from './support.ts';

/** The sample with its own number and issue date: no probable duplicate of another sample. */
function dated(prefix: string, date: string, change: (invoice: InvoiceContent) => void = () => {}): InvoiceContent {
  const invoice = numberedInvoice(prefix);
  invoice.fields['BT-2'] = date;
  change(invoice);
  return invoice;
}

const badge = (file: string, page: Parameters<typeof rowOf>[0]) => rowOf(page, file).locator('.badge').textContent();

describe('the work list, in Chromium', () => {
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('shows the review state, the kind and the checks; filters by review state, supplier and dates, in the URL', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const clean = ciiFile(dated('CLEAN', '2025-03-01'), 'propre.xml');
    const wrong = ciiFile(
      dated('WRONG', '2025-03-02', (invoice) => {
        invoice.fields['BT-112'] = '1455.31';
      }),
      'total-faux.xml',
    );
    const credit = ciiFile(
      dated('AVOIR', '2025-03-03', (invoice) => {
        invoice.fields['BT-3'] = '381';
      }),
      'avoir.xml',
    );
    const dollars = ciiFile(
      dated('USD', '2025-03-04', (invoice) => {
        invoice.fields['BT-5'] = 'USD';
      }),
      'dollars.xml',
    );
    await dropFiles(page, [clean, wrong, credit, dollars]);
    await expect.poll(() => badge(clean.name, page), { timeout: 30_000 }).toBe('prête');
    await expect.poll(() => badge(wrong.name, page), { timeout: 30_000 }).toBe('à vérifier');
    await expect.poll(() => badge(credit.name, page), { timeout: 30_000 }).toBe('prête');
    expect(await rowOf(page, wrong.name).locator('.checks .errors').textContent()).toMatch(/^\d+ erreurs?$/);
    expect(await rowOf(page, clean.name).locator('.col-type').textContent()).toBe('Facture');
    expect(await rowOf(page, credit.name).locator('.col-type').textContent()).toBe('Avoir');
    // A credit note read from XML: stored positive, shown negative.
    expect(await rowOf(page, credit.name).locator('.col-total').textContent()).toBe(euros('-1455.30'));
    expect(await rowOf(page, clean.name).locator('.col-total').textContent()).toBe(euros('1455.30'));
    // Never assumed €: the document's currency.
    await expect.poll(() => badge(dollars.name, page), { timeout: 30_000 }).toBe('prête');
    expect(await rowOf(page, dollars.name).locator('.col-total').textContent()).toBe(
      new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'USD' }).format(1455.3),
    );
    expect(await page.getByText('essai 1/3').count()).toBe(0);
    await screenshot(page, 'worklist-fr');

    await page.getByLabel('À faire').selectOption('to_review');
    await expect.poll(() => new URL(page.url()).searchParams.get('review')).toBe('to_review');
    await expect.poll(() => rowOf(page, clean.name).count()).toBe(0);
    expect(await rowOf(page, wrong.name).count()).toBe(1);
    await page.reload();
    expect(await page.getByLabel('À faire').inputValue()).toBe('to_review');
    expect(await rowOf(page, wrong.name).count()).toBe(1);
    expect(await rowOf(page, clean.name).count()).toBe(0);

    // Dates and supplier, from the address bar: the server renders the filtered page.
    await openPage(page, '/?from=2025-03-03&to=2025-03-03&supplier=atelier');
    expect(await page.getByLabel('Date du').inputValue()).toBe('2025-03-03');
    expect(await page.getByLabel('Fournisseur', { exact: true }).inputValue()).toBe('atelier');
    expect(await rowOf(page, credit.name).count()).toBe(1);
    expect(await rowOf(page, clean.name).count()).toBe(0);
    await page.getByLabel('Fournisseur', { exact: true }).fill('personne');
    await expect.poll(() => new URL(page.url()).searchParams.get('supplier')).toBe('personne');
    await expect.poll(() => rowOf(page, credit.name).count()).toBe(0);
    await context.close();
  });

  it('approves a selection, rejects with a reason, and approves from the keyboard on the inbox and the review screen', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const files = ['a', 'b', 'c', 'd'].map((letter, i) => ciiFile(dated(`KEY${letter}`, `2025-04-0${i + 1}`), `clavier-${letter}.xml`));
    for (const file of files) await dropFiles(page, [file]);
    for (const file of files) await expect.poll(() => badge(file.name, page), { timeout: 30_000 }).toBe('prête');
    const [a, b, c, d] = files as [InvoiceFile, InvoiceFile, InvoiceFile, InvoiceFile];

    await page.getByLabel(`Sélectionner ${a.name}`).check();
    await page.getByLabel(`Sélectionner ${b.name}`).check();
    expect(await page.getByText('2 factures sélectionnées').count()).toBe(1);
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await expect.poll(() => badge(a.name, page)).toBe('validée');
    await expect.poll(() => badge(b.name, page)).toBe('validée');
    expect(await page.locator('.notice').textContent()).toBe('Validées\u202f: 2 factures.');

    await page.getByLabel(`Sélectionner ${c.name}`).check();
    await page.getByRole('button', { name: 'Rejeter' }).click();
    await page.getByLabel('Motif du rejet').fill('Commande annulée');
    await page.getByRole('button', { name: 'Confirmer le rejet' }).click();
    await expect.poll(() => badge(c.name, page)).toBe('rejetée');

    // j moves down to d's row, a approves it.
    const order = await page.locator('tbody tr[data-invoice]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-file')));
    for (let i = 0; i <= order.indexOf(d.name); i += 1) await page.keyboard.press('j');
    expect(await rowOf(page, d.name).getAttribute('aria-current')).toBe('true');
    await page.keyboard.press('a');
    await expect.poll(() => badge(d.name, page)).toBe('validée');

    // The review screen: a approves, j opens the next invoice of the list.
    const e = ciiFile(dated('KEYe', '2025-04-05'), 'clavier-e.xml');
    await dropFiles(page, [e]);
    await expect.poll(() => badge(e.name, page), { timeout: 30_000 }).toBe('prête');
    await page.reload();
    const id = await rowOf(page, e.name).getAttribute('data-invoice');
    const list = await page.locator('tbody tr[data-invoice]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-invoice')));
    await openPage(page, `/invoices/${id}`);
    await expect.poll(() => page.locator('.review-badges .badge').textContent()).toBe('prête');
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('.review-badges .badge').textContent()).toBe('validée');
    await page.keyboard.press('j');
    await page.waitForURL(`**/invoices/${list[list.indexOf(id) + 1]}`);
    await context.close();
  });

  it('shows a credit note read from a PDF’s text negative in the list and the review screen', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const pdf = await printInvoice({ ...SAMPLES.fr, layout: 'beside', documentType: 'credit-note', signed: true, number: 'AV-PDF-1' });
    const file = { name: 'avoir-imprime.pdf', type: 'application/pdf', bytes: pdf };
    await dropFiles(page, [file]);
    await expect.poll(() => rowOf(page, file.name).locator('.col-type').textContent(), { timeout: 60_000 }).toBe('Avoir');
    expect(await rowOf(page, file.name).locator('.col-total').textContent()).toBe(euros('-1481.47'));
    const id = await rowOf(page, file.name).getAttribute('data-invoice');
    const stored = (await (await fetch(`${app.server.url}/api/invoices/${id}`)).json()) as {
      extracted: { fields: Record<string, string> };
    };
    expect(stored.extracted.fields['BT-112']).toBe('1481.47'); // EN 16931: positive, the type says credit
    await openPage(page, `/invoices/${id}`);
    await expect.poll(() => page.locator('.totals').textContent()).toContain(euros('-1481.47'));
    await context.close();
  });

  it('flags a second upload of the same file, with a link to the first, in the inbox and on the review screen', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const file = ciiFile(dated('TWICE', '2025-05-01'), 'deux-fois.xml');
    await dropFiles(page, [file]);
    await expect.poll(() => badge(file.name, page), { timeout: 30_000 }).toBe('prête');
    const first = await rowOf(page, file.name).getAttribute('data-invoice');
    await dropFiles(page, [file]);
    const again = rowOf(page, file.name).and(page.locator(`:not([data-invoice="${first}"])`));
    await expect.poll(() => again.locator('.duplicate').textContent()).toContain('Fichier déjà reçu');
    expect(await again.locator('.duplicate a').getAttribute('href')).toBe(`/invoices/${first}`);
    await expect.poll(() => again.locator('.badge').textContent(), { timeout: 30_000 }).toBe('à vérifier');
    await openPage(page, `/invoices/${await again.getAttribute('data-invoice')}`);
    await expect.poll(() => page.locator('.review-badges .duplicate a').getAttribute('href')).toBe(`/invoices/${first}`);
    await context.close();
  });

  it('says how many of 4 dropped files were refused, and keeps each reason after a reload', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    await dropFiles(page, [
      ciiFile(dated('DROP', '2025-06-01'), 'bonne-1.xml'),
      { name: 'vide.pdf', type: 'application/pdf', bytes: new Uint8Array() },
      ciiFile(dated('DROP', '2025-06-02'), 'bonne-2.xml'),
      { name: 'notes.txt', type: 'text/plain', bytes: new TextEncoder().encode('pas une facture') },
    ]);
    await expect
      .poll(() => page.locator('.notice').textContent())
      .toBe('4 fichiers déposés\u202f: 2 reçus, 2 refusés (motif sur chaque ligne).');
    const reason = () => page.locator('tr[data-upload="notes.txt"] .reason').textContent();
    expect(await reason()).toBe('Ce type de fichier n’est pas une facture que Facteur sait lire.');
    await page.reload();
    await expect.poll(reason).toBe('Ce type de fichier n’est pas une facture que Facteur sait lire.');
    expect(await page.locator('tr[data-upload="vide.pdf"] .reason').textContent()).toBe('Le fichier est vide.');
    await context.close();
  });

  it('writes findings for people, in French and English, with the amounts and the rule id small', async () => {
    const { context, page } = await newPage(app);
    await openPage(page);
    const wrong = ciiFile(
      dated('FIND', '2025-07-01', (invoice) => {
        invoice.fields['BT-112'] = '1455.31';
      }),
      'constat.xml',
    );
    await dropFiles(page, [wrong]);
    await expect.poll(() => badge(wrong.name, page), { timeout: 30_000 }).toBe('à vérifier');
    const id = await rowOf(page, wrong.name).getAttribute('data-invoice');
    await openPage(page, `/invoices/${id}`);
    const finding = page.locator('li[data-rule="BR-CO-15"]');
    await expect
      .poll(() => finding.textContent())
      .toContain(`Le total TTC (${euros('1455.31')}) ne correspond pas au total HT + TVA (${euros('1220.00')} + ${euros('235.30')})`);
    expect(await finding.locator('small.rule').textContent()).toBe('BR-CO-15');
    await screenshot(page, 'review-findings-fr');

    const english = await newPage(app, { locale: 'en-GB' });
    await english.page.goto(`/invoices/${id}`);
    await expect
      .poll(() => english.page.locator('li[data-rule="BR-CO-15"]').textContent())
      .toContain(`The Invoice total amount with VAT (${euros('1455.31', 'en-GB')}) does not match`);
    await english.context.close();
    await context.close();
  });
});
