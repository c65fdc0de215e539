// XSD validation against the official schemas (data/xsd/, their sources in its README), by libxml2
// compiled to WebAssembly: the schema is the first thing an official validator applies, and a file it
// rejects is rejected whatever its business rules say. Each schema is compiled once per process.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  type ErrorDetail,
  ParseOption,
  type XmlInputProvider,
  XmlDocument,
  XmlElement,
  XmlParseError,
  xmlRegisterInputProvider,
  XmlValidateError,
  XsdValidator,
} from 'libxml2-wasm';
import { fsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { projectPath } from '../../paths.ts';
import type { Finding, Syntax } from '../model.ts';
import type { OfficialArtefact } from './profile.ts';

/** The schema of each document kind, by its path under data/xsd/. */
const SCHEMAS = {
  'fx-minimum': ['facturx-minimum', 'Factur-X_MINIMUM.xsd'],
  'fx-basicwl': ['facturx-basicwl', 'Factur-X_BASICWL.xsd'],
  'fx-basic': ['facturx-basic', 'Factur-X_BASIC.xsd'],
  'fx-en16931': ['facturx-en16931', 'Factur-X_EN16931.xsd'],
  'fx-extended': ['facturx-extended', 'Factur-X_EXTENDED.xsd'],
  'ubl-invoice': ['ubl-2.1', 'maindoc', 'UBL-Invoice-2.1.xsd'],
  'ubl-creditnote': ['ubl-2.1', 'maindoc', 'UBL-CreditNote-2.1.xsd'],
  zugferd1: ['zugferd', 'ZUGFeRD1p0.xsd'],
} as const;

export type XsdSchema = keyof typeof SCHEMAS;

/**
 * The schema a document is checked against, following the artefact that judges it: a Factur-X
 * profile's own XSD; for a CII file judged by CEN (bare XML, or no Factur-X profile), the EXTENDED
 * XSD, the widest D16B subset shipped, so that a CEN invoice is not held to a Factur-X profile's subset.
 */
export function xsdSchemaFor(syntax: Syntax, artefact: OfficialArtefact | undefined, rootName: string): XsdSchema | undefined {
  // The ZUGFeRD 1.0 release candidates (their own root, read as 1.0) have no schema here.
  if (syntax === 'zugferd1') return rootName === 'CrossIndustryDocument' ? 'zugferd1' : undefined;
  if (syntax === 'ubl') return rootName === 'CreditNote' ? 'ubl-creditnote' : 'ubl-invoice';
  return artefact === undefined || artefact === 'cen-cii' || artefact === 'cen-ubl' ? 'fx-extended' : artefact;
}

const xsdRoot = () => projectPath('data', 'xsd');

let providerRegistered = false;

/** The schemas import their parts by relative paths: libxml2 may read files, but only under data/xsd/. */
function registerSchemaFiles(root: string): void {
  if (providerRegistered) return;
  const inside = (filename: string) => {
    const path = relative(root, resolve(filename.replace(/^file:\/\//, '')));
    return path !== '' && !path.startsWith('..') && !isAbsolute(path);
  };
  const provider: XmlInputProvider = { ...fsInputProviders, match: (filename) => inside(filename) };
  xmlRegisterInputProvider(provider);
  providerRegistered = true;
}

const compiled = new Map<XsdSchema, XsdValidator>();

function validatorOf(schema: XsdSchema): XsdValidator {
  const known = compiled.get(schema);
  if (known) return known;
  const root = xsdRoot();
  registerSchemaFiles(root);
  const path = resolve(root, ...SCHEMAS[schema]);
  const document = XmlDocument.fromBuffer(readFileSync(path), { url: path });
  try {
    const validator = XsdValidator.fromDoc(document);
    compiled.set(schema, validator);
    return validator;
  } finally {
    document.dispose();
  }
}

// The invoice is read again by libxml2 for its line numbers: no network, no external entity, as in
// the first reading (xml/parse.ts), whose size limits it has already passed.
const INVOICE_PARSING = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;

/** `{urn:…:CrossIndustryInvoice:100}Foo` → `Foo`: the namespace is the schema's, the reader knows it. */
const localNames = (text: string) => text.replace(/\{[^}]*\}/g, '');

function finding(detail: ErrorDetail, schema: XsdSchema): Finding {
  const message = localNames(detail.message.trim());
  return {
    rule: 'XSD',
    severity: 'error',
    message: `Line ${detail.line}: ${message} (schema ${SCHEMAS[schema].at(-1)})`,
    values: { line: String(detail.line), detail: message },
  };
}

/** A Peppol message is validated without its envelope: the payload after the header, as detect.ts reads it. */
const PAYLOAD = "/*[local-name()='StandardBusinessDocument']/*[local-name()!='StandardBusinessDocumentHeader'][1]";

/**
 * The XSD errors of an XML document (its bytes as received, so that line numbers are the file's),
 * one finding each; none when no schema applies.
 */
export function validateXsd(xml: Uint8Array, schema: XsdSchema | undefined): Finding[] {
  if (schema === undefined) return [];
  const validator = validatorOf(schema);
  let document: XmlDocument;
  try {
    document = XmlDocument.fromBuffer(xml, { option: INVOICE_PARSING });
  } catch (error) {
    // The first reading accepted it; libxml2's stricter one (an encoding it does not know) did not.
    if (!(error instanceof XmlParseError)) throw error;
    return [{ rule: 'XSD', severity: 'error', message: `The XML cannot be read for schema validation: ${error.message.trim()}` }];
  }
  try {
    const payload = document.get(PAYLOAD);
    if (payload instanceof XmlElement) validator.validate(payload);
    else validator.validate(document);
    return [];
  } catch (error) {
    if (error instanceof XmlValidateError) return error.details.map((detail) => finding(detail, schema));
    throw error;
  } finally {
    document.dispose();
  }
}
