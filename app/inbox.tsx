'use client';

import { useCallback, useEffect, useState } from 'react';

interface Row {
  invoiceId: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  attempts: number;
  lastError: string | null;
  invoice: { fileName: string; number?: string; seller?: string; issueDate?: string; totalWithVat?: string; currency?: string };
}

const LABELS: Record<Row['status'], string> = { pending: 'en attente', processing: 'en cours', completed: 'terminée', failed: 'échec' };

function money(amount: string | undefined, currency: string | undefined): string {
  if (amount === undefined) return '';
  const value = Number(amount);
  return Number.isFinite(value) ? new Intl.NumberFormat('fr-FR', { style: 'currency', currency: currency ?? 'EUR' }).format(value) : amount;
}

/** A minimal inbox: upload, then the list refreshes while anything is still being processed. */
export function Inbox() {
  const [rows, setRows] = useState<Row[]>([]);
  const [message, setMessage] = useState('');

  const refresh = useCallback(async () => {
    const response = await fetch('/api/invoices?limit=50');
    if (response.ok) setRows(((await response.json()) as { invoices: Row[] }).invoices);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const busy = rows.some((row) => row.status === 'pending' || row.status === 'processing');
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => void refresh(), 2_000);
    return () => clearInterval(timer);
  }, [busy, refresh]);

  async function upload(files: FileList | null) {
    if (!files || files.length === 0) return;
    const body = new FormData();
    for (const file of Array.from(files)) body.append('file', file);
    const response = await fetch('/api/upload', { method: 'POST', body });
    const result = (await response.json()) as { error?: { message: string } };
    setMessage(result.error ? result.error.message : `${files.length} fichier(s) reçu(s).`);
    await refresh();
  }

  return (
    <section>
      <label>
        Ajouter des factures : <input type="file" multiple accept=".pdf,.xml,image/*" onChange={(event) => void upload(event.target.files)} />
      </label>
      <p role="status">{message}</p>
      <table style={{ width: '100%', borderCollapse: 'collapse' }}>
        <thead>
          <tr style={{ textAlign: 'left' }}>
            <th>Fichier</th>
            <th>Statut</th>
            <th>Fournisseur</th>
            <th>Numéro</th>
            <th>Date</th>
            <th style={{ textAlign: 'right' }}>Total TTC</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.invoiceId} style={{ borderTop: '1px solid #ddd' }}>
              <td>{row.invoice.fileName}</td>
              <td title={row.lastError ?? undefined}>{LABELS[row.status]}{row.attempts > 1 ? ` (essai ${row.attempts})` : ''}</td>
              <td>{row.invoice.seller}</td>
              <td>{row.invoice.number}</td>
              <td>{row.invoice.issueDate}</td>
              <td style={{ textAlign: 'right' }}>{money(row.invoice.totalWithVat, row.invoice.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
