// Safe XML parsing for untrusted invoices. An e-invoice never needs a DTD, so any DOCTYPE is refused
// before a parser sees the text: no entity can be expanded and nothing can be fetched, whatever the
// parser would otherwise do. Size and nesting are bounded before the DOM is built.
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { InvoiceError } from '../errors.ts';

export interface XmlLimits {
  /** Largest XML document accepted, in bytes. */
  readonly maxXmlBytes: number;
  /** Deepest element nesting accepted; real invoices stay below 15. */
  readonly maxXmlDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxXmlBytes: 20 * 1024 * 1024, maxXmlDepth: 64 };

/** Decodes XML bytes: byte-order marks are honoured and dropped, the declared encoding is used. */
export function decodeXml(bytes: Uint8Array): string {
  let encoding = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, start] = ['utf-16be', 2];
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, start] = ['utf-16le', 2];
  else {
    // The declaration is ASCII in every encoding an invoice may use, so latin1 reads it safely.
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
    if (declared) encoding = declared.trim().toLowerCase();
  }
  // A BOM can survive decoding (a UTF-8 BOM inside a UTF-16 file); whitespace before the
  // declaration is a common producer slip. The declaration itself has done its work once the text
  // is decoded, and is dropped so that a malformed one ("UTF-8-W/O-BOM", seen in the wild) cannot
  // fail an otherwise good invoice.
  return decoderFor(encoding)
    .decode(bytes.subarray(start))
    .replace(/^[\uFEFF\s]+/, '')
    .replace(/^<\?xml[^>]*\?>/, '');
}

function decoderFor(encoding: string): TextDecoder {
  try {
    return new TextDecoder(encoding);
  } catch (cause) {
    if (/^utf-?8\b/.test(encoding)) return new TextDecoder('utf-8');
    throw new InvoiceError('XML_ENCODING_UNSUPPORTED', `XML declares an unknown encoding "${encoding}"`, { cause });
  }
}

/**
 * One pass over the text before parsing: refuses DOCTYPE (and any other markup declaration) and
 * nesting deeper than `maxDepth`. Comments, CDATA and processing instructions are skipped so that
 * their content can neither trigger nor hide a refusal.
 */
export function checkXmlStructure(text: string, maxDepth: number): void {
  let depth = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', i)) i = skipPast(text, '-->', i + 4);
      else if (text.startsWith('<![CDATA[', i)) i = skipPast(text, ']]>', i + 9);
      else {
        throw new InvoiceError(
          'XML_DOCTYPE_FORBIDDEN',
          'XML contains a DOCTYPE or another markup declaration; invoices never need one, so it is refused',
        );
      }
    } else if (next === 0x3f /* ? */) {
      i = skipPast(text, '?>', i + 2);
    } else if (next === 0x2f /* / */) {
      depth -= 1;
      i = skipPast(text, '>', i + 2);
    } else {
      const end = endOfStartTag(text, i + 1);
      if (text.charCodeAt(end - 1) !== 0x2f /* / */) {
        depth += 1;
        if (depth > maxDepth) {
          throw new InvoiceError('XML_TOO_DEEP', `XML nests elements deeper than ${maxDepth} levels`);
        }
      }
      i = end + 1;
    }
    i = text.indexOf('<', i);
  }
}

function skipPast(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? text.length : at + terminator.length;
}

/** Index of the `>` closing a start tag, ignoring any `>` inside quoted attribute values. */
function endOfStartTag(text: string, from: number): number {
  let quote = 0;
  for (let j = from; j < text.length; j += 1) {
    const c = text.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return j;
  }
  return text.length;
}

/** Parses untrusted XML bytes into a DOM, or throws an `InvoiceError`. */
export function parseXml(bytes: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  if (bytes.byteLength > limits.maxXmlBytes) {
    throw new InvoiceError('FILE_TOO_LARGE', `XML is ${bytes.byteLength} bytes; the limit is ${limits.maxXmlBytes}`);
  }
  const text = decodeXml(bytes);
  checkXmlStructure(text, limits.maxXmlDepth);
  let document: Document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new InvoiceError('XML_MALFORMED', `XML is not well-formed: ${reason}`, { cause });
  }
  if (!document.documentElement) throw new InvoiceError('XML_MALFORMED', 'XML has no root element');
  return document;
}

export function rootElement(document: Document): Element {
  const root = document.documentElement;
  if (!root) throw new InvoiceError('XML_MALFORMED', 'XML has no root element');
  return root;
}
