'use client';

// The fields part of the review screen: the invoice as read (children) or, after « Corriger », a
// form with every header field, VAT breakdown row and line as a typed input. Each input is checked
// as it is typed by the parser the server applies on save (src/invoices/field-values.ts); a save
// names the version the form was filled from, and a conflict keeps every input.
import { type ReactNode, useId, useMemo, useState } from 'react';
import { TERMS, type NormalisedInvoice, type TermId } from '../../../src/einvoice/model.ts';
import { REVIEW_BELOW } from '../../../src/einvoice/visual/fields.ts';
import { FieldValueError, formatFieldValue, parseFieldValue } from '../../../src/invoices/field-values.ts';
import type { InvoiceDetail } from '../../../src/invoices/views.ts';
import { type Locale, type Messages, messages } from '../../i18n.ts';
import { type FieldWords, fieldWords } from './fields-words.ts';

const EDITABLE = new Set(['to_review', 'ready']);

type GroupTitle = 'document_' | 'seller' | 'buyer' | 'totals' | 'payment';
const HEADER_GROUPS: ReadonlyArray<{ title: GroupTitle; terms: TermId[] }> = [
  { title: 'document_', terms: ['BT-1', 'BT-3', 'BT-2', 'BT-9', 'BT-72', 'BT-5', 'BT-13', 'BT-10'] },
  { title: 'seller', terms: ['BT-27', 'BT-30', 'BT-31', 'BT-35', 'BT-38', 'BT-37', 'BT-40', 'BT-34'] },
  { title: 'buyer', terms: ['BT-44', 'BT-47', 'BT-48', 'BT-50', 'BT-53', 'BT-52', 'BT-55', 'BT-49'] },
  { title: 'totals', terms: ['BT-106', 'BT-107', 'BT-108', 'BT-109', 'BT-110', 'BT-112', 'BT-113', 'BT-115'] },
  { title: 'payment', terms: ['BT-84', 'BT-86', 'BT-20'] },
];
const VAT_COLUMNS: TermId[] = ['BT-118', 'BT-119', 'BT-116', 'BT-117'];
const LINE_COLUMNS: TermId[] = ['BT-126', 'BT-153', 'BT-129', 'BT-146', 'BT-131'];
/** Header terms shown in their groups, or not corrected one by one (the notes). */
const NOT_OTHER = new Set<string>([...HEADER_GROUPS.flatMap((g) => g.terms), 'BT-21', 'BT-22']);

const VAT_CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M'];
const TYPE_CODES = ['380', '381', '384', '386', '389', '261', '383'];
const CURRENCIES = Intl.supportedValuesOf('currency');

interface EditablePath {
  path: string;
  term: TermId;
  value: string | undefined;
}

/** Every path the form shows, with its current value: header groups, other header terms, VAT rows, lines. */
function editablePaths(invoice: NormalisedInvoice): EditablePath[] {
  const header = (term: TermId) => ({ path: term, term, value: invoice.fields[term] });
  const others = (Object.keys(invoice.fields) as TermId[]).filter((term) => !NOT_OTHER.has(term));
  const rows = (group: 'BG-23' | 'BG-25', records: NormalisedInvoice['lines'], columns: TermId[]) =>
    records.flatMap((record, index) => columns.map((term) => ({ path: `${group}[${index}].${term}`, term, value: record[term] })));
  return [
    ...HEADER_GROUPS.flatMap((group) => group.terms.map(header)),
    ...others.map(header),
    ...rows('BG-23', invoice.vatBreakdown, VAT_COLUMNS),
    ...rows('BG-25', invoice.lines, LINE_COLUMNS),
  ];
}

function shownValues(invoice: NormalisedInvoice, locale: Locale): Record<string, string> {
  return Object.fromEntries(editablePaths(invoice).map(({ path, term, value }) => [path, formatFieldValue(term, value, locale)]));
}

/** The read view, or the correction form; « Corriger » switches while the invoice can be corrected. */
export function CorrectableFields({
  locale,
  detail,
  onChange,
  children,
}: {
  locale: Locale;
  detail: InvoiceDetail;
  onChange: (detail: InvoiceDetail) => void;
  children: ReactNode;
}) {
  const w = fieldWords(locale);
  const [editing, setEditing] = useState(false);
  const editable = detail.extracted !== null && detail.deleted === null && EDITABLE.has(detail.review.state ?? '');
  if (editing && editable) return <FieldsEditor locale={locale} detail={detail} onChange={onChange} onClose={() => setEditing(false)} />;
  return (
    <>
      {editable ? (
        <p className="actions">
          <button type="button" className="button" onClick={() => setEditing(true)}>
            {w.edit}
          </button>
          <span className="hint">{w.editHint}</span>
        </p>
      ) : null}
      {children}
    </>
  );
}

type Notice = { kind: 'conflict' | 'error' | 'saved' | 'invalid'; text: string } | null;

function FieldsEditor({
  locale,
  detail,
  onChange,
  onClose,
}: {
  locale: Locale;
  detail: InvoiceDetail;
  onChange: (detail: InvoiceDetail) => void;
  onClose: () => void;
}) {
  const t = messages(locale);
  const w = fieldWords(locale);
  const invoice = detail.extracted as NormalisedInvoice;
  // What the form was filled from: a save names its version, and only what differs from it is sent.
  const [base, setBase] = useState(() => ({ version: detail.version, values: shownValues(invoice, locale) }));
  const [inputs, setInputs] = useState(base.values);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [theirs, setTheirs] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  // Values read with low confidence that the person declares right as they are: sent unchanged.
  const [confirmed, setConfirmed] = useState<ReadonlySet<string>>(new Set());
  const paths = useMemo(() => editablePaths(invoice), [invoice]);
  const termOf = useMemo(() => new Map(paths.map((p) => [p.path, p.term])), [paths]);
  const corrected = useMemo(() => {
    const byPath = new Map<string, { from: string; by: string }>();
    for (const c of detail.corrections) byPath.set(c.term, { from: byPath.get(c.term)?.from ?? c.from ?? '', by: c.by });
    return byPath;
  }, [detail.corrections]);
  // A change is a different value, not a different spelling of it (« 1 481,47 » for 1\u202f481,47).
  const differs = (path: string) => {
    if (inputs[path] === base.values[path]) return false;
    const term = termOf.get(path) ?? path;
    try {
      return parseFieldValue(term, inputs[path] ?? '') !== parseFieldValue(term, base.values[path] ?? '');
    } catch {
      return true;
    }
  };
  const changed = Object.keys(inputs).filter((path) => differs(path) || confirmed.has(path));

  const check = (path: string, text: string): string | null => {
    try {
      parseFieldValue(termOf.get(path) ?? path, text);
      return null;
    } catch (error) {
      return error instanceof FieldValueError ? (w.errors[error.code] ?? error.message) : String(error);
    }
  };

  const type = (path: string, text: string) => {
    setInputs((current) => ({ ...current, [path]: text }));
    const problem = check(path, text);
    setErrors((current) => {
      const { [path]: _, ...rest } = current;
      return problem ? { ...rest, [path]: problem } : rest;
    });
  };

  /** The latest version: the form takes its values, except where the person typed something. */
  const reloadKeepingInput = async () => {
    const response = await fetch(`/api/invoices/${detail.invoiceId}`, { cache: 'no-store' });
    if (!response.ok) return;
    const latest = (await response.json()) as InvoiceDetail;
    if (!latest.extracted) return;
    const values = shownValues(latest.extracted, locale);
    const merged: Record<string, string> = {};
    const differing: Record<string, string> = {};
    for (const [path, value] of Object.entries(values)) {
      const mine = inputs[path];
      const typed = mine !== undefined && mine !== base.values[path];
      merged[path] = typed ? mine : value;
      if (typed && value !== base.values[path] && value !== mine) differing[path] = value;
    }
    setBase({ version: latest.version, values });
    setInputs(merged);
    setTheirs(differing);
    setNotice(null);
    onChange(latest);
  };

  const save = async () => {
    if (changed.some((path) => errors[path])) {
      setNotice({ kind: 'invalid', text: w.fixErrors });
      return;
    }
    if (changed.length === 0) {
      setNotice({ kind: 'saved', text: w.saved(0) });
      return;
    }
    setBusy(true);
    try {
      const response = await fetch(`/api/invoices/${detail.invoiceId}/fields`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fields: Object.fromEntries(changed.map((path) => [path, inputs[path]])), version: base.version }),
      });
      const result = (await response.json()) as InvoiceDetail & { error?: { code: string; message: string } };
      if (result.error) {
        const { code, message } = result.error;
        if (code === 'VERSION_CONFLICT') setNotice({ kind: 'conflict', text: w.conflict });
        else setNotice({ kind: 'error', text: w.errors[code] ? `${w.errors[code]} (${message})` : message });
        return;
      }
      const values = result.extracted ? shownValues(result.extracted, locale) : base.values;
      setBase({ version: result.version, values });
      setInputs(values);
      setTheirs({});
      setConfirmed(new Set());
      setNotice({ kind: 'saved', text: w.saved(changed.length) });
      onChange(result);
    } catch {
      setNotice({ kind: 'error', text: t.reasons.network ?? '' });
    } finally {
      setBusy(false);
    }
  };

  const field = (path: string, label: string) => (
    <EditField
      key={path}
      path={path}
      term={termOf.get(path) as TermId}
      label={label}
      value={inputs[path] ?? ''}
      error={errors[path]}
      theirs={theirs[path]}
      corrected={corrected.get(path)}
      uncertain={!path.startsWith('BG-') && (invoice.confidence[path as TermId] ?? 1) < REVIEW_BELOW}
      changed={differs(path)}
      confirmed={confirmed.has(path)}
      onConfirm={() => setConfirmed((current) => new Set([...current, path]))}
      t={t}
      w={w}
      onType={type}
    />
  );
  const labelOf = (term: TermId) => w.labels[term] ?? t.terms[term] ?? TERMS[term].name;
  const others = paths.filter((p) => !p.path.startsWith('BG-') && !NOT_OTHER.has(p.term));
  const columnLabel: Record<string, string> = {
    'BT-118': t.review.category,
    'BT-119': t.review.rate,
    'BT-116': t.review.base,
    'BT-117': t.review.amount,
    'BT-126': t.review.lineNo,
    'BT-153': t.review.item,
    'BT-129': t.review.quantity,
    'BT-146': t.review.unitPrice,
    'BT-131': t.review.lineTotal,
  };
  const rows = (group: 'BG-23' | 'BG-25', count: number, columns: TermId[], title: (n: number) => string) =>
    Array.from({ length: count }, (_, index) => (
      <fieldset key={`${group}-${index}`} className="edit-row">
        <legend>{title(index + 1)}</legend>
        {columns.map((term) => field(`${group}[${index}].${term}`, columnLabel[term] ?? labelOf(term)))}
      </fieldset>
    ));

  return (
    <form
      className="fields-editor"
      aria-label={w.edit}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      {HEADER_GROUPS.map((group) => (
        <section key={group.title} className="group panel">
          <h2>{t.review[group.title]}</h2>
          <div className="edit-grid">{group.terms.map((term) => field(term, labelOf(term)))}</div>
        </section>
      ))}
      {others.length > 0 ? (
        <section className="group panel">
          <h2>{w.other}</h2>
          <div className="edit-grid">{others.map((p) => field(p.path, `${labelOf(p.term)} (${p.term})`))}</div>
        </section>
      ) : null}
      {invoice.vatBreakdown.length > 0 ? (
        <section className="group panel">
          <h2>{t.review.vat}</h2>
          {rows('BG-23', invoice.vatBreakdown.length, VAT_COLUMNS, w.vatRow)}
        </section>
      ) : null}
      {invoice.lines.length > 0 ? (
        <section className="group panel">
          <h2>{t.review.lines}</h2>
          {rows('BG-25', invoice.lines.length, LINE_COLUMNS, w.row)}
        </section>
      ) : null}
      <div className="panel editor-bar">
        <p className={`notice notice-${notice?.kind ?? 'none'}`} role={notice?.kind === 'conflict' ? 'alert' : 'status'}>
          {notice?.text ?? (changed.length > 0 ? w.unsaved(changed.length) : '')}
        </p>
        <p className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? w.saving : w.save}
          </button>
          {notice?.kind === 'conflict' ? (
            <button type="button" className="button" onClick={() => void reloadKeepingInput()}>
              {w.reloadKeep}
            </button>
          ) : null}
          <button type="button" className="button" onClick={onClose}>
            {w.cancel}
          </button>
        </p>
      </div>
      <datalist id="currency-codes">
        {CURRENCIES.map((code) => (
          <option key={code} value={code} />
        ))}
      </datalist>
    </form>
  );
}

function EditField({
  path,
  term,
  label,
  value,
  error,
  theirs,
  corrected,
  uncertain,
  changed,
  confirmed,
  onConfirm,
  t,
  w,
  onType,
}: {
  path: string;
  term: TermId;
  label: string;
  value: string;
  error: string | undefined;
  theirs: string | undefined;
  corrected: { from: string; by: string } | undefined;
  uncertain: boolean;
  changed: boolean;
  confirmed: boolean;
  onConfirm: () => void;
  t: Messages;
  w: FieldWords;
  onType: (path: string, text: string) => void;
}) {
  const id = useId();
  const type = TERMS[term].type;
  const classes = ['field', 'edit-field', corrected ? 'corrected' : '', uncertain ? 'uncertain' : '', changed ? 'changed' : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: path,
    'data-path': path,
    value,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  } as const;
  const choice = (options: string[], labelOf: (code: string) => string) => (
    <select {...common} onChange={(event) => onType(path, event.target.value)}>
      <option value="" />
      {[...new Set([...options, ...(value && !options.includes(value) ? [value] : [])])].map((code) => (
        <option key={code} value={code}>
          {labelOf(code)}
        </option>
      ))}
    </select>
  );
  let input: ReactNode;
  if (term === 'BT-118') input = choice(VAT_CATEGORIES, (code) => code);
  else if (term === 'BT-3') input = choice(TYPE_CODES, (code) => `${code}${t.typeCodes[code] ? ` · ${t.typeCodes[code]}` : ''}`);
  else {
    const numeric = type === 'amount' || type === 'unitPrice' || type === 'quantity' || type === 'percent';
    input = (
      <input
        {...common}
        type="text"
        inputMode={numeric ? 'decimal' : undefined}
        className={numeric ? 'amount' : undefined}
        list={term === 'BT-5' || term === 'BT-6' ? 'currency-codes' : undefined}
        placeholder={
          type === 'date' ? w.placeholders.date : type === 'amount' ? w.placeholders.amount : numeric ? w.placeholders.number : undefined
        }
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => onType(path, event.target.value)}
      />
    );
  }
  return (
    <div className={classes}>
      <label htmlFor={id}>
        {label}
        {corrected ? (
          <span className="corrected-note" title={w.correctedTitle(corrected.from, corrected.by)}>
            {' '}
            · {w.corrected}
          </span>
        ) : null}
      </label>
      {input}
      {uncertain && !confirmed ? (
        <span className="uncertain-note">
          {t.review.lowConfidence}{' '}
          {changed ? null : (
            <button type="button" className="link-button" aria-label={`${w.confirm} · ${label}`} onClick={onConfirm}>
              {w.confirm}
            </button>
          )}
        </span>
      ) : null}
      {confirmed ? <span className="corrected-note">{w.confirmed}</span> : null}
      {theirs !== undefined ? <span className="theirs-note">{w.theirs(theirs)}</span> : null}
      {error ? (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
