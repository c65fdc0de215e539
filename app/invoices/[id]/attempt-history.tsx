import type { AttemptView } from '../../../src/invoices/views.ts';
import { formatDateTime, formatDuration, reasonOf, type Messages } from '../../i18n.ts';

/** Every try of every job of the invoice: when, how long, how it ended, why it failed. */
export function AttemptHistory({ t, history }: { t: Messages; history: AttemptView[] }) {
  return (
    <section className="group panel" aria-labelledby="history-title">
      <h2 id="history-title">{t.review.history}</h2>
      {history.length === 0 ? (
        <p className="hint">{t.review.noHistory}</p>
      ) : (
        <div className="table-scroll">
          <table className="history">
            <thead>
              <tr>
                <th scope="col">{t.review.attemptNo}</th>
                <th scope="col">{t.review.started}</th>
                <th scope="col" className="amount">
                  {t.review.duration}
                </th>
                <th scope="col">{t.review.outcome}</th>
                <th scope="col">{t.review.reason}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((attempt, index) => (
                <tr key={index} data-outcome={attempt.outcome}>
                  {/* Numbered across every job of the invoice: a retry or a re-processing never shows « 1 » twice. */}
                  <td>{index + 1}</td>
                  <td>{formatDateTime(t, attempt.startedAt ?? attempt.finishedAt)}</td>
                  <td className="amount">{formatDuration(t, attempt.durationMs)}</td>
                  <td>{t.review.outcomes[attempt.outcome] ?? attempt.outcome}</td>
                  <td>{attempt.error ? reasonOf(t, attempt.errorCode, attempt.error) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
