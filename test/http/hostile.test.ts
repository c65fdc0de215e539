import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOICE_ERROR_CODES } from '../../src/einvoice/errors.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';
import { type RunningServer, startServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

const text = (value: string) => new TextEncoder().encode(value);

/** A PDF whose one content stream inflates from ~100 KB to 200 MB. */
async function pdfBomb(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage();
  const inflated = Buffer.alloc(200 * 1024 * 1024, 0x20);
  const stream = doc.context.stream(deflateSync(inflated, { level: 9 }), { Filter: 'FlateDecode' });
  page.node.set(PDFName.of('Contents'), doc.context.register(stream));
  return doc.save({ useObjectStreams: false });
}

async function pdfWithPages(count: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < count; i++) doc.addPage([10, 10]);
  return doc.save();
}

/** JavaScript run on open, and the CVE-2024-4367 pattern: code smuggled in a font matrix. */
function pdfWithScript(): Uint8Array {
  return text(`%PDF-1.7
1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert('pwned'); globalThis.pwned = 1) >> >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >> endobj
4 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Evil /FontMatrix [1 0 0 1 0 (1\\); globalThis.pwned = 2; //)] >> endobj
5 0 obj << /Length 44 >> stream
BT /F1 12 Tf 20 100 Td (Facture n 1) Tj ET
endstream endobj
trailer << /Root 1 0 R /Size 6 >>
%%EOF`);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A PNG announcing 100,000 × 100,000 pixels in a few hundred bytes. */
function pngBomb(): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(100_000, 0);
  header.writeUInt32BE(100_000, 4);
  header.set([1, 0, 0, 0, 0], 8); // 1-bit greyscale
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1_000_000))),
    pngChunk('IEND', new Uint8Array()),
  ]);
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol4;</rsm:CrossIndustryInvoice>`;
const xxe = (target: string) => `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "${target}">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&x;</rsm:CrossIndustryInvoice>`;
const deepXml = `<?xml version="1.0"?>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`;

describe('hostile input through the production server', () => {
  let app: RunningServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'facteur-hostile-'));
    app = await startServer({ FACTEUR_DATA_DIR: dataDir, FACTEUR_UPLOAD_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = async (files: { name: string; bytes: Uint8Array }[]) => {
    const body = new FormData();
    for (const file of files) body.append('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>]), file.name);
    const response = await fetch(`${app.url}/api/upload`, { method: 'POST', body });
    return { status: response.status, body: (await response.json()) as { invoices: { invoiceId: string }[]; error?: { code: string } } };
  };
  const status = async (invoiceId: string) =>
    (await (await fetch(`${app.url}/api/queue/status?invoiceId=${invoiceId}`)).json()) as {
      status: string;
      errorCode: string | null;
      invoice: { fileName: string; mediaType: string; number?: string };
    };

  it('fails each hostile file in its own job with a reason code, while a good invoice still goes through', async () => {
    const hostile: [string, Uint8Array, readonly string[]][] = [
      [
        'bomb.pdf',
        await pdfBomb(),
        ['CORRUPT_PDF', 'EXTRACTION_OUT_OF_MEMORY', 'EXTRACTION_TIMEOUT', 'IMAGE_TOO_LARGE', 'NOT_AN_INVOICE', 'completed'],
      ],
      ['script.pdf', pdfWithScript(), [...INVOICE_ERROR_CODES, 'completed']],
      ['pages.pdf', await pdfWithPages(10_000), ['PDF_TOO_MANY_PAGES']],
      ['truncated.pdf', (await pdfWithPages(2)).slice(0, 300), ['CORRUPT_PDF']],
      ['laughs.xml', text(billionLaughs), ['XML_DOCTYPE_FORBIDDEN']],
      ['xxe-file.xml', text(xxe('file:///etc/passwd')), ['XML_DOCTYPE_FORBIDDEN']],
      ['xxe-url.xml', text(xxe('http://127.0.0.1:9/x')), ['XML_DOCTYPE_FORBIDDEN']],
      ['deep.xml', text(deepXml), ['XML_TOO_DEEP']],
      ['bomb.png', pngBomb(), ['IMAGE_TOO_LARGE', 'CORRUPT_IMAGE']],
    ];
    const invoice = sampleInvoice();
    const good = { name: '../../etc/facture.pdf', bytes: text(writeCii(invoice)) }; // an XML behind a PDF name and a traversal
    const { status: code, body } = await upload([...hostile.map(([name, bytes]) => ({ name, bytes })), good]);
    expect(code).toBe(201);
    const ids = body.invoices.map((i) => i.invoiceId);
    const final = await waitFor(
      'every job finished',
      async () => {
        const statuses = await Promise.all(ids.map(status));
        return statuses.every((s) => s.status === 'completed' || s.status === 'failed') && statuses;
      },
      150_000,
      250,
    );

    hostile.forEach(([name, , allowed], i) => {
      const outcome = final[i]!.status === 'completed' ? 'completed' : final[i]!.errorCode;
      expect({ name, outcome: allowed.includes(outcome!) ? 'expected' : outcome }).toEqual({ name, outcome: 'expected' });
    });
    const goodStatus = final.at(-1)!;
    expect(goodStatus).toMatchObject({
      status: 'completed',
      invoice: { fileName: 'facture.pdf', mediaType: 'application/xml', number: invoice.fields['BT-1'] },
    });

    // The server lived through it all, and its memory stayed bounded.
    const metrics = await (await fetch(`${app.url}/api/metrics`)).text();
    const rss = Number(/^facteur_process_resident_memory_bytes (\S+)$/m.exec(metrics)![1]);
    expect(rss).toBeLessThan(1.5 * 1024 ** 3);
  }, 200_000);

  it('serves a polyglot file as what it was sniffed to be, sandboxed', async () => {
    const polyglot = text('%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF');
    const { body } = await upload([{ name: 'page.html', bytes: polyglot }]);
    const file = await fetch(`${app.url}/api/invoices/${body.invoices[0]!.invoiceId}/file`);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-security-policy')).toBe('sandbox');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('gives up on a multipart body that never ends, with 408', async () => {
    const { port } = new URL(app.url);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/upload', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n\r\n%PDF-1.4\n');
      // …and nothing more, never the end.
    });
    expect(result.status).toBe(408);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'UPLOAD_TIMEOUT' } });
  });
});
