import type { InvoiceSource } from '../../../src/invoices/views.ts';
import { formatDateTime, type Messages } from '../../i18n.ts';

/** Where the invoice came from: the way in, and for a message its mailbox or provider, sender, subject and date. */
export function InvoiceOrigin({ t, source }: { t: Messages; source: InvoiceSource }) {
  const { mailbox, provider, folder, from, subject, date } = source.details;
  const sent = date && !Number.isNaN(Date.parse(date)) ? formatDateTime(t, date) : date;
  const facts: [string, string | undefined][] = [
    [t.origin.mailbox, mailbox],
    [t.origin.provider, provider],
    [t.origin.folder, folder],
    [t.origin.from, from],
    [t.origin.subject, subject],
    [t.origin.date, sent],
  ];
  return (
    <section className="panel meta origin" aria-label={t.origin.title}>
      <strong>{t.origin.title}</strong> · {t.source[source.kind]}
      {facts.some(([, value]) => value) ? (
        <dl>
          {facts
            .filter(([, value]) => value)
            .map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
        </dl>
      ) : null}
    </section>
  );
}
