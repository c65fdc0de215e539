import type { ReactNode } from 'react';

export const metadata = { title: 'Facteur', description: 'Réception et traitement des factures' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="fr">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem auto', maxWidth: '60rem', padding: '0 1rem', color: '#1a1a1a' }}>
        {children}
      </body>
    </html>
  );
}
