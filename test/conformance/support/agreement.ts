// Facteur's verdict beside the official artefacts', file by file: which artefact applies to a file,
// running them all (one JVM per artefact), and the disagreements in a form a list can name.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { XMLSerializer, type Element } from '@xmldom/xmldom';
import { classifyXml, invoiceElement, sniffContainer } from '../../../src/einvoice/detect.ts';
import { extractInvoice, isInvoiceError } from '../../../src/einvoice/index.ts';
import { openPdf } from '../../../src/einvoice/pdf/document.ts';
import { findInvoiceAttachment } from '../../../src/einvoice/pdf/facturx.ts';
import { profileLevel } from '../../../src/einvoice/profile.ts';
import { officialArtefact } from '../../../src/einvoice/validate/profile.ts';
import { parseXml, rootElement, DEFAULT_XML_LIMITS } from '../../../src/einvoice/xml/parse.ts';
import type { Syntax } from '../../../src/einvoice/model.ts';
import { runArtefact, type Artefact, type OracleVerdict } from './oracle.ts';

/** The shared corpus: `$FACTEUR_CORPUS`, else `../shared/corpus` from the repository. */
export const CORPUS_DIR = resolve(process.env.FACTEUR_CORPUS ?? '../shared/corpus');

/** A file to judge: its name, the invoice XML the artefacts read, and what Facteur reads (the file itself). */
export interface ConformanceCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly xml: Uint8Array;
  readonly syntax: Syntax;
  readonly container: 'xml' | 'pdf';
  readonly specification?: string;
}

/** The artefact whose verdict counts for a file: the one Facteur's own rule set follows. */
export function applicableArtefact(c: Pick<ConformanceCase, 'syntax' | 'container' | 'specification'>): Artefact | undefined {
  return officialArtefact(c.syntax, c.container, profileLevel(c.specification));
}

/** Every artefact that has something to say of a file: CEN for its syntax, and its profile's. */
export function allArtefacts(c: Pick<ConformanceCase, 'syntax' | 'container' | 'specification'>): Artefact[] {
  const applicable = applicableArtefact(c);
  if (applicable === undefined) return [];
  const cen: Artefact = c.syntax === 'ubl' ? 'cen-ubl' : 'cen-cii';
  return applicable === cen ? [cen] : [cen, applicable];
}

const BT24_PATH = ['ExchangedDocumentContext', 'GuidelineSpecifiedDocumentContextParameter', 'ID'];

function specificationOf(root: Element): string | undefined {
  let current: Element | undefined = root;
  for (const name of BT24_PATH) {
    let next: Element | undefined;
    for (let node = current?.firstChild ?? null; node !== null; node = node.nextSibling) {
      if (node.nodeType === 1 && (node as Element).localName === name) next = node as Element;
    }
    current = next;
  }
  return current?.textContent?.trim() || undefined;
}

/** The case of one file, or undefined for a file without invoice XML (plain PDF, image, not an invoice). */
export async function conformanceCase(name: string, bytes: Uint8Array): Promise<ConformanceCase | undefined> {
  try {
    const { container } = sniffContainer(bytes);
    if (container === 'xml') {
      const root = rootElement(parseXml(bytes, DEFAULT_XML_LIMITS));
      const invoice = invoiceElement(root);
      const syntax = classifyXml(invoice);
      // A Peppol envelope is not what the artefacts judge: they get the invoice inside it.
      const xml = invoice === root ? bytes : new TextEncoder().encode(new XMLSerializer().serializeToString(invoice));
      return { name, bytes, xml, syntax, container, specification: specificationOf(invoice) };
    }
    if (container !== 'pdf') return undefined;
    const pdf = await openPdf(bytes, { maxPdfPages: 1000 });
    try {
      const attachment = findInvoiceAttachment(await pdf.embeddedFiles(), DEFAULT_XML_LIMITS);
      if (!attachment) return undefined;
      return {
        name,
        bytes,
        xml: attachment.content,
        syntax: attachment.syntax,
        container,
        specification: specificationOf(attachment.root),
      };
    } finally {
      await pdf.close();
    }
  } catch (error) {
    if (isInvoiceError(error)) return undefined;
    throw error;
  }
}

export async function corpusCases(files: readonly string[]): Promise<ConformanceCase[]> {
  const cases: ConformanceCase[] = [];
  for (const file of files) {
    const found = await conformanceCase(basename(file), new Uint8Array(await readFile(file)));
    if (found) cases.push(found);
  }
  return cases;
}

/** Facteur's error-level rule ids for a file, or the error code it refused the file with. */
export type FacteurVerdict = { readonly errors: readonly string[] } | { readonly refused: string };

export async function facteurVerdict(bytes: Uint8Array): Promise<FacteurVerdict> {
  try {
    const invoice = await extractInvoice(bytes);
    return { errors: [...new Set(invoice.validation.filter((f) => f.severity === 'error').map((f) => f.rule))].sort() };
  } catch (error) {
    if (isInvoiceError(error)) return { refused: error.code };
    throw error;
  }
}

export interface Judgement {
  readonly file: string;
  readonly artefact: Artefact;
  readonly oracle: OracleVerdict;
  readonly facteur: FacteurVerdict;
}

/** A disagreement as the known-disagreements list names it: `<file> <artefact> <missed|extra|failure> <rule>`. */
export function disagreements(j: Judgement): string[] {
  const key = (what: string, rule: string) => `${j.file} ${j.artefact} ${what} ${rule}`;
  if ('failure' in j.oracle) return [key('failure', j.oracle.failure)];
  if ('refused' in j.facteur) return [key('refused', j.facteur.refused)];
  const facteur = new Set(j.facteur.errors);
  const oracle = new Set(j.oracle.errors);
  return [
    ...j.oracle.errors.filter((rule) => !facteur.has(rule)).map((rule) => key('missed', rule)),
    ...j.facteur.errors.filter((rule) => !oracle.has(rule)).map((rule) => key('extra', rule)),
  ];
}

/** Whether the two accept or reject the file alike (an artefact failure counts as a disagreement). */
export function verdictAgrees(j: Judgement): boolean {
  if ('failure' in j.oracle || 'refused' in j.facteur) return false;
  return (j.oracle.errors.length === 0) === (j.facteur.errors.length === 0);
}

/**
 * Judges every case by the artefacts `choose` picks for it: one JVM per artefact over a temporary
 * folder holding the XML of every file it applies to, Facteur's own verdict beside.
 */
export async function judge(
  conformanceDir: string,
  cases: readonly ConformanceCase[],
  choose: (c: ConformanceCase) => Artefact[],
): Promise<Judgement[]> {
  const work = await mkdtemp(join(tmpdir(), 'facteur-conformance-'));
  try {
    const byArtefact = new Map<Artefact, ConformanceCase[]>();
    for (const c of cases) for (const artefact of choose(c)) byArtefact.set(artefact, [...(byArtefact.get(artefact) ?? []), c]);
    const facteur = new Map<string, FacteurVerdict>();
    for (const c of cases) facteur.set(c.name, await facteurVerdict(c.bytes));
    const judgements: Judgement[] = [];
    for (const [artefact, members] of byArtefact) {
      const input = join(work, artefact, 'in');
      await mkdir(input, { recursive: true });
      for (const c of members) await writeFile(join(input, `${c.name}.xml`), c.xml);
      const verdicts = await runArtefact(conformanceDir, artefact, input, join(work, artefact, 'out'));
      for (const c of members) {
        judgements.push({
          file: c.name,
          artefact,
          oracle: verdicts.get(`${c.name}.xml`) ?? { failure: 'no report' },
          facteur: facteur.get(c.name) ?? { refused: 'not run' },
        });
      }
    }
    return judgements.sort((a, b) => (a.file === b.file ? (a.artefact < b.artefact ? -1 : 1) : a.file < b.file ? -1 : 1));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
