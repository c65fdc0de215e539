// Agreement with the CEN EN 16931 Schematron unit tests (../shared/corpus/validation): each VEFA
// `<test>` holds an invoice fragment and the rule it must (`<error>`) or must not (`<success>`)
// trigger. Only rules Facteur implements are counted.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLSerializer, type Element } from '@xmldom/xmldom';
import { EN16931_RULES, extractInvoice, isInvoiceError } from '../../src/einvoice/index.ts';
import { parseXml, rootElement } from '../../src/einvoice/xml/parse.ts';

export interface CenOutcome {
  readonly file: string;
  readonly rule: string;
  readonly expected: 'error' | 'success';
  readonly fired: boolean;
  readonly agrees: boolean;
  readonly note?: string;
}

const childElements = (element: Element): Element[] => {
  const children: Element[] = [];
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) children.push(node as Element);
  }
  return children;
};

export async function runCenUnitTests(corpus: string): Promise<{ outcomes: CenOutcome[]; skipped: number }> {
  const base = join(corpus, 'validation/eInvoicing-EN16931/test');
  const implemented = new Set(EN16931_RULES);
  const outcomes: CenOutcome[] = [];
  let skipped = 0;
  const serializer = new XMLSerializer();
  for (const folder of await readdir(base)) {
    for (const name of (await readdir(join(base, folder))).filter((n) => n.endsWith('.xml')).sort()) {
      const file = `${folder}/${name}`;
      const testSet = rootElement(parseXml(new Uint8Array(await readFile(join(base, file)))));
      for (const test of childElements(testSet).filter((e) => e.localName === 'test')) {
        const [assertion, fragment] = [
          childElements(test).find((e) => e.localName === 'assert'),
          childElements(test).find((e) => e.localName !== 'assert'),
        ];
        const verdict = assertion && childElements(assertion).find((e) => e.localName === 'error' || e.localName === 'success');
        const rule = verdict?.textContent?.trim();
        if (!verdict || !rule || !fragment) continue;
        if (!implemented.has(rule)) {
          skipped += 1;
          continue;
        }
        const expected = verdict.localName === 'error' ? 'error' : 'success';
        let fired = false;
        let note: string | undefined;
        try {
          const invoice = await extractInvoice(new TextEncoder().encode(serializer.serializeToString(fragment)));
          fired = invoice.validation.some((finding) => finding.rule === rule);
        } catch (error) {
          note = isInvoiceError(error) ? error.code : String(error);
        }
        outcomes.push({ file, rule, expected, fired, agrees: fired === (expected === 'error'), ...(note ? { note } : {}) });
      }
    }
  }
  return { outcomes, skipped };
}
