// The corpus split into folds by invoice family, so that the visual path's rules can be judged on
// invoices they were not written against. A family is every file of one invoice (its profiles, its
// PDF and PNG: one `invoice_id`) joined with every invoice of the same seller, since one seller's
// invoices come from one template and a rule fitted to one of them fits all. Families go to folds
// largest first, each to the fold with the fewest files so far: deterministic, and the folds come
// out near the same size even though one family ("Lieferant GmbH", the FeRD samples) is a third of
// the corpus.

/** What the split needs of a label. */
export interface FoldLabel {
  readonly invoice_id: string | null;
  readonly fields?: { readonly norm?: Readonly<Record<string, unknown>> };
}

export const FOLDS = 5;
/**
 * The folds whose misses may be read while developing the visual path (bench/extract/README.md);
 * the others are held out and only their figures are looked at.
 */
export const DEVELOPMENT_FOLDS: ReadonlySet<number> = new Set([0, 1, 2]);

export interface Split {
  /** A family's key: the smallest invoice id in it. */
  readonly familyOf: (label: FoldLabel) => string;
  readonly foldOf: (label: FoldLabel) => number;
}

const invoiceKey = (label: FoldLabel) => `invoice:${label.invoice_id ?? ''}`;

/** Families from every label; fold sizes counted over `counted` (the files a mode scores). */
export function splitByFamily(labels: readonly FoldLabel[], counted: readonly FoldLabel[]): Split {
  const parent = new Map<string, string>();
  const root = (key: string): string => {
    let at = key;
    for (let up = parent.get(at); up !== undefined && up !== at; up = parent.get(at)) at = up;
    parent.set(key, at);
    return at;
  };
  const join = (a: string, b: string) => {
    const [ra, rb] = [root(a), root(b)].sort();
    if (ra !== undefined && rb !== undefined && ra !== rb) parent.set(rb, ra);
  };
  for (const label of labels) {
    root(invoiceKey(label));
    const seller = label.fields?.norm?.['BT-27'];
    if (typeof seller === 'string' && seller.trim() !== '')
      join(invoiceKey(label), `seller:${seller.trim().replace(/\s+/g, ' ').toLowerCase()}`);
  }
  const familyOf = (label: FoldLabel) => root(invoiceKey(label));

  const sizes = new Map<string, number>();
  for (const label of counted) sizes.set(familyOf(label), (sizes.get(familyOf(label)) ?? 0) + 1);
  const filled: number[] = Array.from({ length: FOLDS }, () => 0);
  const folds = new Map<string, number>();
  for (const [family, size] of [...sizes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const fold = filled.indexOf(Math.min(...filled));
    folds.set(family, fold);
    filled[fold] = (filled[fold] ?? 0) + size;
  }
  // A family no counted file belongs to is placed by its key, so that every label has a fold.
  const byKey = (family: string) => [...family].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % FOLDS;
  return { familyOf, foldOf: (label) => folds.get(familyOf(label)) ?? byKey(familyOf(label)) };
}
