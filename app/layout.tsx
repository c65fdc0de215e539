import type { ReactNode } from 'react';
import './styles.css';
import { Account } from './account.tsx';
import { messages } from './i18n.ts';
import { requestLocale } from './locale.ts';
import { exportWords } from './exports/words.ts';

export const metadata = { title: 'Facteur', description: 'Réception et traitement des factures · Invoice inbox' };
export const viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  const t = messages(locale);
  return (
    <html lang={locale}>
      <body>
        <header className="site-header">
          <a className="brand" href="/">
            Facteur
          </a>
          <nav aria-label={t.nav.label}>
            <a href="/">{t.nav.inbox}</a>
            <a href="/queue">{t.nav.queue}</a>
            <a href="/exports">{exportWords(locale).nav}</a>
          </nav>
          <Account locale={locale} />
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
