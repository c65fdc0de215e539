import type { NormalisedInvoice } from '../../../src/einvoice/model.ts';
import { findingMessage, type MessageFormat } from '../../../src/einvoice/validate/messages.ts';
import { formatDate, formatMoney, formatNumber, type Messages } from '../../i18n.ts';

/** The catalogue's formats in the reader's locale, money in the document's currency (BT-5). */
export function messageFormat(t: Messages, currency: string | undefined): MessageFormat {
  return {
    language: t.tag === 'fr-FR' ? 'fr' : 'en',
    money: (amount) => formatMoney(t, amount, currency),
    number: (value) => formatNumber(t, value),
    date: (value) => formatDate(t, value),
  };
}

/** The findings as sentences for people, in the reader's language, with the rule id small beside each. */
export function Findings({ t, invoice }: { t: Messages; invoice: NormalisedInvoice }) {
  const format = messageFormat(t, invoice.fields['BT-5']);
  const ordered = [...invoice.validation].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return (
    <section className="group panel" aria-labelledby="findings-title">
      <h2 id="findings-title">{t.review.findings}</h2>
      {ordered.length === 0 ? (
        <p className="hint">{t.review.noFindings}</p>
      ) : (
        <ul className="findings">
          {ordered.map((finding, index) => (
            <li key={index} data-rule={finding.rule} data-severity={finding.severity}>
              <span className={`severity-${finding.severity}`}>{finding.severity === 'error' ? t.review.error : t.review.warning}</span> ·{' '}
              {findingMessage(finding, format)}
              <small className="rule" title={`${t.worklist.rule} ${finding.rule}`}>
                {finding.rule}
              </small>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
