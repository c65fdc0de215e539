// Signing in to the web app in Chromium, in both modes that sign people in: FACTEUR_AUTH=accounts
// (the form, the session cookie, sign-out, throttling, a revoked session) and FACTEUR_AUTH=supabase
// (the session cookie @supabase/ssr sets, minted here with the test secret: no Supabase server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, resetUser } from '../../src/access/accounts.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { SUPABASE_TEST_SECRET, supabaseAccessToken, supabaseSessionCookies } from '../support/supabase-session.ts';
import { ciiFile, dropFiles, numberedInvoice, rowOf, screenshot, startBrowserApp, type BrowserApp } from './support.ts';

const PASSWORD = 'un mot de passe assez long';

describe('signing in with FACTEUR_AUTH=accounts', () => {
  let db: TestDb;
  let app: BrowserApp;

  beforeAll(async () => {
    db = await openServerDb(requireServerUrl());
    app = await startBrowserApp({ DATABASE_URL: db.url!, FACTEUR_AUTH: 'accounts' });
    await addUser(db.db, { email: 'lea@acme.test', organisation: 'acme', role: 'member' }, PASSWORD);
    await addUser(db.db, { email: 'tom@acme.test', organisation: 'acme', role: 'member' }, PASSWORD);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  const context = (locale = 'fr-FR') => app.browser.newContext({ baseURL: app.server.url, locale, viewport: { width: 1280, height: 900 } });

  const fillSignIn = async (page: import('playwright-core').Page, email: string, password: string) => {
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
  };

  it('sends a visitor to the sign-in page, signs in, uploads, signs out, and the old cookie opens nothing', async () => {
    const browser = await context();
    const page = await browser.newPage();
    await page.goto('/queue');
    await expect.poll(() => page.url()).toBe(`${app.server.url}/signin?next=%2Fqueue`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Connexion');
    await screenshot(page, 'signin-accounts-fr');

    await fillSignIn(page, 'lea@acme.test', 'pas le bon mot de passe');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Adresse e-mail ou mot de passe incorrect.');

    await fillSignIn(page, 'LEA@acme.test', PASSWORD);
    await expect.poll(() => page.url()).toBe(`${app.server.url}/queue`);
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('acme · membre');
    await expect.poll(() => page.locator('h1').textContent()).toBe('File de traitement');
    const [cookie] = await browser.cookies();
    expect(cookie).toMatchObject({ name: 'facteur_session', httpOnly: true, sameSite: 'Lax' });

    await page.goto('/');
    await page.waitForFunction(() => {
      const button = document.querySelector('main button');
      return button !== null && Object.keys(button).some((key) => key.startsWith('__reactProps'));
    });
    await dropFiles(page, [ciiFile(numberedInvoice('SIGNIN'), 'connectee.xml')]);
    await expect.poll(() => rowOf(page, 'connectee.xml').locator('.badge').textContent()).toBe('prête');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await expect.poll(() => page.url()).toBe(`${app.server.url}/signin`);
    expect(await browser.cookies()).toEqual([]);
    const replayed = await fetch(`${app.server.url}/api/invoices`, { headers: { cookie: `facteur_session=${cookie!.value}` } });
    expect(replayed.status).toBe(401);
    await browser.close();
  });

  it('shows an organisation’s invoices to each of its people', async () => {
    const browser = await context();
    const page = await browser.newPage();
    await page.goto('/');
    await fillSignIn(page, 'tom@acme.test', PASSWORD);
    await expect.poll(() => page.url()).toBe(`${app.server.url}/`);
    await expect.poll(() => rowOf(page, 'connectee.xml').locator('.badge').textContent()).toBe('prête');
    await browser.close();
  });

  it('sends a browser whose session was revoked (facteur user reset) back to the sign-in page', async () => {
    const browser = await context();
    const page = await browser.newPage();
    await page.goto('/');
    await fillSignIn(page, 'tom@acme.test', PASSWORD);
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('acme · membre');
    await resetUser(db.db, 'tom@acme.test', { password: `${PASSWORD} encore` });
    await page.reload();
    await expect.poll(() => page.url()).toBe(`${app.server.url}/signin?next=%2F`);
    await browser.close();
  });

  it('says, in English too, when there were too many attempts', async () => {
    const browser = await context('en-GB');
    const page = await browser.newPage();
    await page.goto('/signin');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    await screenshot(page, 'signin-accounts-en');
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await page.getByLabel('E-mail address').fill('lea@acme.test');
      await page.getByLabel('Password').fill(`wrong password ${attempt}`);
      const answered = page.waitForResponse((response) => response.url().endsWith('/api/session'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await answered;
    }
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Too many sign-in attempts\. Try again in \d+ minutes?\.$/);
    await browser.close();
  });
});

describe('signing in with FACTEUR_AUTH=supabase', () => {
  const PROJECT = 'http://facteur-test.localhost:9';
  let app: BrowserApp;

  beforeAll(async () => {
    app = await startBrowserApp({
      FACTEUR_AUTH: 'supabase',
      SUPABASE_JWT_SECRET: SUPABASE_TEST_SECRET,
      SUPABASE_URL: PROJECT,
      SUPABASE_ANON_KEY: 'anon-key-of-the-test',
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('shows the Supabase form to a visitor, and the inbox of the session the cookie holds', async () => {
    const token = await supabaseAccessToken('user-ana');
    const body = new FormData();
    body.append('file', new Blob([writeCii(numberedInvoice('SUPABASE'))]), 'supabase.xml');
    const uploaded = await fetch(`${app.server.url}/api/upload`, { method: 'POST', body, headers: { authorization: `Bearer ${token}` } });
    expect(uploaded.status).toBe(201);

    const browser = await app.browser.newContext({ baseURL: app.server.url, locale: 'fr-FR' });
    const page = await browser.newPage();
    await page.goto('/');
    await expect.poll(() => page.url()).toBe(`${app.server.url}/signin?next=%2F`);
    await expect.poll(() => page.getByRole('button', { name: 'Recevoir un lien de connexion par e-mail' }).count()).toBe(1);
    await screenshot(page, 'signin-supabase-fr');

    // What @supabase/ssr writes after a sign-in, chunked as a session with much metadata is.
    await browser.addCookies(supabaseSessionCookies(PROJECT, token, 5000).map((cookie) => ({ ...cookie, url: app.server.url })));
    await page.goto('/');
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('user-ana · membre');
    await expect.poll(() => rowOf(page, 'supabase.xml').count()).toBe(1);
    await page.goto('/queue');
    await expect.poll(() => page.locator('h1').textContent()).toBe('File de traitement');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await expect.poll(() => page.url()).toBe(`${app.server.url}/signin`);
    expect((await browser.cookies()).filter((cookie) => cookie.name.startsWith('sb-'))).toEqual([]);
    await browser.close();
  });
});
