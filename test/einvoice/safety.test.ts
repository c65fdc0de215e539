// Hostile and broken input: every case ends in a typed, permanent InvoiceError, never a crash,
// never an expanded entity, never a network or file access.
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { detectInvoice, extractInvoice, extractInvoiceFile, InvoiceError, type InvoiceErrorCode } from '../../src/einvoice/index.ts';
import { sampleInvoice } from './support/sample.ts';
import { writeCii, writeFacturX } from './support/writer.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

async function failure(input: Uint8Array, options = {}): Promise<InvoiceError> {
  try {
    await extractInvoice(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvoiceError);
    return error as InvoiceError;
  }
  throw new Error('extraction succeeded on bad input');
}

async function expectCode(input: Uint8Array, code: InvoiceErrorCode, options = {}): Promise<void> {
  const error = await failure(input, options);
  expect(error.code).toBe(code);
  expect(error.permanent).toBe(true);
  expect(error.message.length).toBeGreaterThan(10);
}

describe('XML safety', () => {
  it('refuses a billion-laughs document without expanding anything', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol2;</rsm:CrossIndustryInvoice>`;
    await expectCode(bytes(laughs), 'XML_DOCTYPE_FORBIDDEN');
  });

  it('refuses an external entity (XXE) before anything is fetched or read', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>`;
    await expectCode(bytes(xxe), 'XML_DOCTYPE_FORBIDDEN');
  });

  it('refuses a DOCTYPE inside an embedded factur-x.xml', async () => {
    const xml = writeCii(sampleInvoice()).replace('?>\n', '?>\n<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">\n');
    await expectCode(await writeFacturX(sampleInvoice(), { xml }), 'XML_DOCTYPE_FORBIDDEN');
  });

  it('is not fooled by "<!DOCTYPE" inside a comment or CDATA', async () => {
    const xml = writeCii(sampleInvoice()).replace('<rsm:ExchangedDocument>', '<!-- <!DOCTYPE x> --><rsm:ExchangedDocument>');
    expect((await extractInvoice(bytes(xml))).fields['BT-1']).toBe('F2026-0042');
  });

  it('refuses nesting deeper than the limit', async () => {
    const depth = 10_000;
    const deep = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</Invoice>`;
    await expectCode(bytes(deep), 'XML_TOO_DEEP');
  });

  it('refuses an XML larger than the limit', async () => {
    await expectCode(bytes(writeCii(sampleInvoice())), 'FILE_TOO_LARGE', { limits: { maxXmlBytes: 1000 } });
  });

  it('reports malformed and truncated XML', async () => {
    const xml = writeCii(sampleInvoice());
    await expectCode(bytes(xml.slice(0, xml.length / 2)), 'XML_MALFORMED');
    await expectCode(bytes('<a><b></a>'), 'XML_MALFORMED');
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(writeCii(sampleInvoice()))]);
    expect((await extractInvoice(withBom)).fields['BT-27']).toBe('ATELIER DU FACTEUR SAS');
  });

  it('decodes UTF-16 with its byte-order mark', async () => {
    const text = writeCii(sampleInvoice()).replace('encoding="UTF-8"', 'encoding="UTF-16"');
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i += 1) {
      utf16[2 + 2 * i] = text.charCodeAt(i) & 0xff;
      utf16[3 + 2 * i] = text.charCodeAt(i) >> 8;
    }
    expect((await extractInvoice(utf16)).fields['BT-20']).toBe('Paiement à 30 jours');
  });

  it('honours a declared ISO-8859-1 encoding', async () => {
    const text = writeCii(sampleInvoice()).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    const latin1 = Uint8Array.from(text, (c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 0x3f));
    expect((await extractInvoice(latin1)).fields['BT-20']).toBe('Paiement à 30 jours');
  });

  it('reads a document whose XML declaration names a made-up UTF-8 variant', async () => {
    const text = writeCii(sampleInvoice()).replace('encoding="UTF-8"', 'encoding="UTF-8-W/O-BOM"');
    expect((await extractInvoice(bytes(text))).fields['BT-1']).toBe('F2026-0042');
  });
});

describe('other XML', () => {
  it('refuses FatturaPA with a reason', async () => {
    const error = await failure(
      bytes('<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" versione="FPR12"/>'),
    );
    expect(error.code).toBe('UNSUPPORTED_FORMAT');
    expect(error.message).toMatch(/FatturaPA/);
  });

  it('refuses UN/EDIFACT, as XML or as an interchange, as an unsupported format', async () => {
    await expectCode(bytes('<M_INVOIC version="D96A"><S_UNH><D_0062>1</D_0062></S_UNH></M_INVOIC>'), 'UNSUPPORTED_FORMAT');
    await expectCode(bytes('<Interchange xmlns="urn:org.smooks.edi.unedifact:un:d96a:invoic"/>'), 'UNSUPPORTED_FORMAT');
    await expectCode(bytes("UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+260901:1200+1'UNH+1+INVOIC:D:96A:UN'"), 'UNSUPPORTED_FORMAT');
  });

  it('refuses a PDF without an invoice number or total (a manual) as not an invoice, with no guessed fields', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([595, 842]);
    const text = [
      'Installation guide, version 2.3',
      'Chapter 1. Before you begin',
      'This guide explains how to install the software on a server and how to configure it.',
      'Published on 1 March 2024 by the documentation team. See page 12 for the options.',
      'Chapter 2. Configuration: set the port, the folder and the language in the settings file.',
    ];
    text.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - 20 * i, size: 11, font }));
    await expectCode(await pdf.save(), 'NOT_AN_INVOICE');
  });

  it('refuses Order-X as not an invoice', async () => {
    const error = await failure(
      bytes('<rsm:SCRDMCCBDACIOMessageStructure xmlns:rsm="urn:un:unece:uncefact:data:standard:SCRDMCCBDACIOMessageStructure:100"/>'),
    );
    expect(error.code).toBe('NOT_AN_INVOICE');
    expect(error.message).toMatch(/Order-X/);
  });

  it('refuses an Order-X PDF as not an invoice rather than sending it to the visual path', async () => {
    const orderX = '<rsm:SCRDMCCBDACIOMessageStructure xmlns:rsm="urn:un:unece:uncefact:data:standard:SCRDMCCBDACIOMessageStructure:100"/>';
    const pdf = await writeFacturX(sampleInvoice(), { attachmentName: 'order-x.xml', xml: orderX });
    await expectCode(pdf, 'NOT_AN_INVOICE');
  });

  it('refuses a UBL Order and arbitrary XML', async () => {
    await expectCode(bytes('<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'), 'NOT_AN_INVOICE');
    await expectCode(bytes('<note><to>Tove</to></note>'), 'NOT_AN_INVOICE');
  });
});

describe('files that are not usable', () => {
  it('refuses an empty file', async () => {
    await expectCode(new Uint8Array(), 'EMPTY_FILE');
  });

  it('refuses a file that is neither PDF, XML nor image', async () => {
    await expectCode(bytes('PK\u0003\u0004 a zip archive'), 'UNSUPPORTED_FORMAT');
  });

  it('reports a PDF that cannot be parsed as corrupt', async () => {
    await expectCode(bytes('%PDF-1.7\nthis is not a PDF at all'), 'CORRUPT_PDF');
  });

  it('never crashes on a truncated Factur-X PDF', async () => {
    const pdf = await writeFacturX(sampleInvoice());
    for (const fraction of [0.1, 0.5, 0.9]) {
      const truncated = pdf.subarray(0, Math.floor(pdf.length * fraction));
      const outcome = await extractInvoice(truncated).then(
        (invoice) => invoice.format,
        (error: unknown) => (error instanceof InvoiceError ? error.code : `untyped: ${String(error)}`),
      );
      expect(outcome).not.toMatch(/^untyped/);
    }
  });

  it('refuses a PDF with more pages than the limit', async () => {
    await expectCode(await writeFacturX(sampleInvoice()), 'PDF_TOO_MANY_PAGES', { limits: { maxPdfPages: 0 } });
  });

  it('refuses a file larger than the limit', async () => {
    await expectCode(await writeFacturX(sampleInvoice()), 'FILE_TOO_LARGE', { limits: { maxFileBytes: 100 } });
  });

  it('sends a PDF without invoice XML to the visual path', async () => {
    const plain = await writeFacturX(sampleInvoice(), { attachmentName: 'notes.txt' });
    expect((await detectInvoice(plain)).kind).toBe('plain-pdf');
    expect((await extractInvoice(plain)).format).toBe('pdf-text');
  });

  it('detects a text invoice and sends it to the text path', async () => {
    const text = new TextEncoder().encode('FACTURE N° F2026-0042\nDate : 15/09/2026\nTotal TTC : 1 455,30 €\n');
    expect(await detectInvoice(text)).toMatchObject({ kind: 'text', container: 'text', mediaType: 'text/plain' });
    await expectCode(text, 'VISUAL_PATH_UNAVAILABLE');
  });

  it('takes the visual path on a Factur-X PDF when asked to ignore the embedded XML', async () => {
    expect((await extractInvoice(await writeFacturX(sampleInvoice()), { ignoreEmbeddedXml: true })).format).toBe('pdf-text');
  });
});

describe('files on disk and deadlines', () => {
  it('reports a missing file as FILE_UNREADABLE', async () => {
    await expect(extractInvoiceFile('/nonexistent/facture.pdf')).rejects.toMatchObject({ code: 'FILE_UNREADABLE', permanent: true });
  });

  it('stops when the job signal has fired, with the signal reason (not an InvoiceError)', async () => {
    const controller = new AbortController();
    controller.abort(new Error('job timed out'));
    await expect(extractInvoice(await writeFacturX(sampleInvoice()), { signal: controller.signal })).rejects.toThrow('job timed out');
  });
});
