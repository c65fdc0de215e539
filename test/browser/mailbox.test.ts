// An invoice sent by e-mail, read by the web server's own worker from a real Dovecot
// (FACTEUR_SECRET_KEY set, a mailbox stored beforehand): labelled « E-mail » in the inbox, kept by
// the « Provenance » filter, and its review page says which mailbox, sender, subject and date.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMailbox } from '../../src/intake/mailbox.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { buildMessage, type Dovecot, startDovecot } from '../support/dovecot.ts';
import {
  ciiFile,
  newPage,
  numberedInvoice,
  openPage,
  PAGES_OWNER,
  rowOf,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from './support.ts';

describe('an invoice received by e-mail, in the inbox and on its review page', () => {
  let dovecot: Dovecot;
  let test: TestDb;
  let app: BrowserApp;
  const key = randomBytes(32);

  beforeAll(async () => {
    dovecot = await startDovecot();
    test = await openServerDb(requireServerUrl());
    await addMailbox(test.db, key, {
      owner: PAGES_OWNER,
      name: 'factures',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: dovecot.user,
      password: dovecot.password,
      folder: 'INBOX',
      processedFolder: null,
    });
    app = await startBrowserApp({ DATABASE_URL: test.url!, FACTEUR_SECRET_KEY: key.toString('hex'), FACTEUR_MAIL_INTERVAL: '100ms' });
  });
  afterAll(async () => {
    await app?.stop();
    await test?.drop();
    await dovecot?.dispose();
  });

  it('labels it « E-mail », filters by it, and shows the message it came in', async () => {
    const file = ciiFile(numberedInvoice('MAIL'), 'par-email.xml');
    const client = await dovecot.client();
    await client.append(
      'INBOX',
      buildMessage({
        messageId: 'browser-1@fournisseur.example',
        subject: 'Facture de décembre',
        date: new Date('2026-12-01T10:00:00Z'),
        attachments: [{ name: file.name, type: 'application/xml', content: file.bytes }],
      }),
    );
    await client.logout();

    const { context, page } = await newPage(app);
    await openPage(page, '/?source=mailbox');
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('tr[data-file="par-email.xml"]').count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    expect(await rowOf(page, 'par-email.xml').locator('.source-tag').textContent()).toBe('E-mail');

    await rowOf(page, 'par-email.xml').locator('a').first().click();
    const origin = page.getByRole('region', { name: 'Provenance' });
    await expect.poll(() => origin.textContent(), { timeout: 30_000 }).toContain('boîtefactures');
    const text = (await origin.textContent()) ?? '';
    expect(text).toContain('Fournisseur <factures@fournisseur.example>');
    expect(text).toContain('Facture de décembre');
    await screenshot(page, 'review-origin-mailbox');
    await context.close();
  });
});
