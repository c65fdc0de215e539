import type { ReactNode } from 'react';
import type { NormalisedInvoice } from '../../../src/einvoice/model.ts';
import type { Messages } from '../../i18n.ts';

/** Below this, a value read from the page (text layer, OCR) is shown as one to check. */
const SURE = 0.8;

export interface TermItem {
  term: string;
  /** The label; the term's own when absent. */
  label?: string;
  value: ReactNode;
  /** For a value made of several terms (an address): the least sure of them counts. */
  terms?: string[];
  /** Long values (an IBAN, an address): the whole width of the group. */
  wide?: boolean;
}

/** A group of an invoice's fields as a person reads them: label, value, and a flag when the reading is uncertain. */
export function TermGroup({
  t,
  title,
  items,
  invoice,
  className,
}: {
  t: Messages;
  title: string;
  items: TermItem[];
  invoice: NormalisedInvoice;
  className?: string;
}) {
  const shown = items.filter((item) => item.value !== undefined && item.value !== '');
  if (shown.length === 0) return null;
  return (
    <section className={`group panel ${className ?? ''}`}>
      <h2>{title}</h2>
      <dl className="terms">
        {shown.map((item) => {
          const confidence = Math.min(
            ...(item.terms ?? [item.term]).map((term) => invoice.confidence[term as keyof NormalisedInvoice['confidence']] ?? 1),
          );
          const uncertain = confidence < SURE;
          return (
            <div key={item.term} className={item.wide ? 'term wide' : 'term'}>
              <dt>{item.label ?? t.terms[item.term] ?? item.term}</dt>
              <dd data-term={item.term} className={uncertain ? 'uncertain' : undefined}>
                {item.value}
                {uncertain ? <span className="uncertain-note">{t.review.lowConfidence}</span> : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
