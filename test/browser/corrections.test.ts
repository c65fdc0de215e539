// Correcting an invoice in the review screen, in Chromium: a plain PDF read with doubts is
// corrected and confirmed, its findings and state follow, it is approved and the export books the
// corrected value; two people editing one invoice: the second save gets the conflict and loses
// nothing; delete, then « Annuler ».
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalisedInvoice } from '../../src/einvoice/model.ts';
import { printInvoice, SAMPLES } from '../einvoice/support/printed.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { invoiceApi } from '../support/invoice-api.ts';
import { newPage, numberedInvoice, screenshot, startBrowserApp, type BrowserApp } from './support.ts';

describe('correcting an invoice in the review screen, in Chromium', () => {
  let app: BrowserApp;
  const api = invoiceApi(() => app.server.url);

  beforeAll(async () => {
    app = await startBrowserApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  const cii = () => new TextEncoder().encode(writeCii(numberedInvoice('EDIT')));

  it('corrects a plain PDF’s supplier, confirms its type, sees the findings update, approves, and the export books it', async () => {
    const invoice = await api.uploaded(await printInvoice({ ...SAMPLES.fr, layout: 'blocks' }), 'facture-papier.pdf');
    expect(invoice.review.reasons).toContainEqual({ code: 'LOW_CONFIDENCE', terms: ['BT-3', 'BT-27'] });

    const { context, page } = await newPage(app);
    await page.goto(`/invoices/${invoice.invoiceId}`);
    const state = page.locator('[data-review]');
    await expect.poll(() => state.textContent()).toBe('à vérifier');
    await expect.poll(() => page.locator('ul.findings').textContent()).toContain('FACTEUR-REVIEW');

    await page.getByRole('button', { name: 'Corriger', exact: true }).click();
    const input = (path: string) => page.locator(`[data-path="${path}"]`);
    await expect.poll(() => input('BT-112').inputValue()).toBe('1\u202f481,47');
    await expect.poll(() => input('BT-2').inputValue()).toBe('13/11/2026');

    // A wrong SIREN is refused as it is typed, by the server's own parser; nothing is sent.
    await input('BT-30').fill('732 829 321');
    await expect.poll(() => page.locator('.field-error').textContent()).toBe('SIREN invalide (clé de contrôle).');
    await input('BT-30').fill('732 829 320');
    expect(await page.locator('.field-error').count()).toBe(0);

    await input('BT-27').fill('Atelier Dupont');
    await page.getByRole('button', { name: 'Confirmer · Type' }).click();
    await input('BT-112').fill('1 481,47');
    await screenshot(page, 'review-correcting');
    await page.getByRole('button', { name: 'Enregistrer les corrections' }).click();

    await expect.poll(() => page.locator('.notice-saved').textContent()).toContain('Corrections enregistrées');
    await expect.poll(() => state.textContent()).toBe('prête');
    expect(await page.locator('ul.findings').textContent()).not.toContain('FACTEUR-REVIEW');
    expect(await page.locator('.edit-field.corrected [data-path="BT-27"]').count()).toBe(1);
    expect(await page.locator('.edit-field.corrected [data-path="BT-112"]').count()).toBe(0);

    await page.getByRole('button', { name: 'Annuler', exact: true }).click();
    await expect.poll(() => page.locator('dd[data-term="BT-27"]').textContent()).toBe('Atelier Dupont');
    await page.getByRole('button', { name: 'Valider', exact: true }).click();
    await expect.poll(() => state.textContent()).toBe('validée');
    expect(await page.getByRole('button', { name: 'Corriger', exact: true }).count()).toBe(0);

    const detail = (await api.call(`/api/invoices/${invoice.invoiceId}`)).body;
    expect(detail.corrections.map(({ term, from, to }) => ({ term, from, to }))).toEqual([
      { term: 'BT-3', from: '380', to: '380' },
      { term: 'BT-27', from: 'Atelier Dupont SARL', to: 'Atelier Dupont' },
    ]);
    const exported = await fetch(`${app.server.url}/api/invoices/${invoice.invoiceId}/export?format=json`);
    expect(((await exported.json()) as NormalisedInvoice).fields['BT-27']).toBe('Atelier Dupont');
    await context.close();
  });

  it('gives the second of two people saving the same invoice a conflict, keeps their input, and saves it after a reload', async () => {
    const invoice = await api.uploaded(cii());
    const alice = await newPage(app);
    const bob = await newPage(app);
    for (const { page } of [alice, bob]) {
      await page.goto(`/invoices/${invoice.invoiceId}`);
      await page.getByRole('button', { name: 'Corriger', exact: true }).click();
    }
    const input = (page: typeof alice.page, path: string) => page.locator(`[data-path="${path}"]`);

    await input(alice.page, 'BT-27').fill('Alice SARL');
    await alice.page.getByRole('button', { name: 'Enregistrer les corrections' }).click();
    await expect.poll(() => alice.page.locator('.notice-saved').count()).toBe(1);

    await input(bob.page, 'BT-27').fill('Bob SAS');
    await input(bob.page, 'BT-13').fill('PO-BOB');
    await bob.page.getByRole('button', { name: 'Enregistrer les corrections' }).click();
    await expect.poll(() => bob.page.locator('.notice-conflict').textContent()).toContain('Quelqu’un d’autre a enregistré cette facture');
    expect(await input(bob.page, 'BT-27').inputValue()).toBe('Bob SAS');
    expect(await input(bob.page, 'BT-13').inputValue()).toBe('PO-BOB');
    await screenshot(bob.page, 'review-conflict');

    await bob.page.getByRole('button', { name: 'Charger la dernière version (garder mes saisies)' }).click();
    await expect.poll(() => bob.page.locator('.theirs-note').textContent()).toContain('Alice SARL');
    expect(await input(bob.page, 'BT-27').inputValue()).toBe('Bob SAS');
    await bob.page.getByRole('button', { name: 'Enregistrer les corrections' }).click();
    await expect.poll(() => bob.page.locator('.notice-saved').count()).toBe(1);

    const detail = (await api.call(`/api/invoices/${invoice.invoiceId}`)).body;
    expect(detail.extracted!.fields).toMatchObject({ 'BT-27': 'Bob SAS', 'BT-13': 'PO-BOB' });
    expect(detail.corrections.map(({ term, from, to }) => `${term}: ${from} → ${to}`)).toEqual([
      'BT-27: ATELIER DU FACTEUR SAS → Alice SARL',
      'BT-13: PO-7788 → PO-BOB',
      'BT-27: Alice SARL → Bob SAS',
    ]);
    await alice.context.close();
    await bob.context.close();
  });

  it('deletes an invoice and brings it back with « Annuler »', async () => {
    const invoice = await api.uploaded(cii());
    const { context, page } = await newPage(app);
    await page.goto(`/invoices/${invoice.invoiceId}`);
    await page.getByRole('button', { name: 'Supprimer', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Facture supprimée.' }).count()).toBe(1);
    expect((await api.call(`/api/invoices/${invoice.invoiceId}`)).body.deleted).not.toBeNull();
    await page.getByRole('button', { name: 'Annuler', exact: true }).click();
    // Back as it was before the delete (the same supplier's earlier uploads may make it a probable duplicate).
    await expect.poll(() => page.locator('[data-review]').getAttribute('data-review')).toBe(invoice.review.state);
    expect((await api.call(`/api/invoices/${invoice.invoiceId}`)).body.deleted).toBeNull();
    await context.close();
  });
});
