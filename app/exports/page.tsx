import { EXPORT_FORMATS, currentMonth } from '../../src/invoices/export.ts';
import { requestLocale } from '../locale.ts';
import { exportWords } from './words.ts';

export const dynamic = 'force-dynamic';

const STATES = ['approved', 'ready', 'to_review', 'rejected'] as const;

/**
 * The export form: a plain GET to /api/exports, which answers with the file as an attachment, so
 * the browser downloads it and the page stays. Approved invoices of this month by default.
 */
export default async function ExportsPage() {
  const locale = await requestLocale();
  const t = exportWords(locale);
  const month = currentMonth(new Date());
  return (
    <section>
      <h1>{t.title}</h1>
      <p className="lead">{t.lead}</p>
      <form className="panel export-form" method="get" action="/api/exports">
        <div className="toolbar">
          <div className="field">
            <label htmlFor="export-from">{t.from}</label>
            <input id="export-from" name="from" type="date" required defaultValue={month.from} />
          </div>
          <div className="field">
            <label htmlFor="export-to">{t.to}</label>
            <input id="export-to" name="to" type="date" required defaultValue={month.to} />
          </div>
          <div className="field">
            <label htmlFor="export-date">{t.date}</label>
            <select id="export-date" name="date" defaultValue="invoice">
              <option value="invoice">{t.dates.invoice}</option>
              <option value="received">{t.dates.received}</option>
            </select>
          </div>
        </div>
        <fieldset className="toolbar">
          <legend>{t.review}</legend>
          {STATES.map((state) => (
            <label key={state}>
              <input type="checkbox" name="review" value={state} defaultChecked={state === 'approved'} /> {t.states[state]}
            </label>
          ))}
        </fieldset>
        <div className="toolbar">
          <div className="field grow">
            <label htmlFor="export-supplier">{t.supplier}</label>
            <input id="export-supplier" name="supplier" type="text" aria-describedby="export-supplier-hint" />
            <span id="export-supplier-hint" className="hint">
              {t.supplierHint}
            </span>
          </div>
          <div className="field">
            <label htmlFor="export-format">{t.format}</label>
            <select id="export-format" name="format" defaultValue="csv-fr">
              {EXPORT_FORMATS.map((format) => (
                <option key={format} value={format}>
                  {t.formats[format]}
                </option>
              ))}
            </select>
          </div>
          <input type="hidden" name="lang" value={locale} />
          <button className="button primary" type="submit">
            {t.download}
          </button>
        </div>
        <p className="hint">{t.settings}</p>
      </form>
    </section>
  );
}
