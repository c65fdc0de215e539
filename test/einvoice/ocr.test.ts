// The OCR path on images the tests make themselves. OCR takes seconds a page on two cores: this
// suite keeps to a handful of pages.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { extractInvoice, stopVisualWorkers } from '../../src/einvoice/index.ts';
import { pageImage } from './support/images.ts';
import { decimal, printInvoice, SAMPLES, totalsOf, type PrintedInvoice } from './support/printed.ts';

afterAll(stopVisualWorkers);

const french: PrintedInvoice = { ...SAMPLES.fr, layout: 'beside' };

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose header claims 100,000 × 100,000 pixels: ten gigapixels if anyone decoded it. */
function decompressionBomb(): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(100_000, 0);
  header.writeUInt32BE(100_000, 4);
  header.set([8, 0, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', Buffer.alloc(16)), chunk('IEND', Buffer.alloc(0))]));
}

describe('the OCR path', () => {
  it('reads a 300 dpi image of a French invoice', async () => {
    const invoice = await extractInvoice(await pageImage(await printInvoice(french), { dpi: 300 }));
    const { net, vat, gross } = totalsOf(french);
    expect(invoice.format).toBe('ocr');
    expect(invoice.source).toEqual({ container: 'image', pages: 1 });
    expect(invoice.fields).toMatchObject({
      'BT-1': french.number,
      'BT-2': french.issueDate,
      'BT-5': 'EUR',
      'BT-31': french.seller.vatId,
      'BT-109': decimal(net),
      'BT-110': decimal(vat),
      'BT-112': decimal(gross),
    });
  });

  it('turns a page scanned sideways upright before reading it', async () => {
    const printed: PrintedInvoice = { ...SAMPLES.de, layout: 'columns' };
    const invoice = await extractInvoice(await pageImage(await printInvoice(printed), { dpi: 200, turn: 90 }));
    expect(invoice.fields['BT-1']).toBe(printed.number);
    expect(invoice.fields['BT-112']).toBe(decimal(totalsOf(printed).gross));
  });

  it('OCRs a PDF that holds only a scan (no text layer)', async () => {
    const pdf = await PDFDocument.create();
    const scan = await pdf.embedPng(await pageImage(await printInvoice(french), { dpi: 300 }));
    pdf.addPage([595, 842]).drawImage(scan, { x: 0, y: 0, width: 595, height: 842 });
    const invoice = await extractInvoice(await pdf.save());
    expect(invoice.format).toBe('ocr');
    expect(invoice.source).toMatchObject({ container: 'pdf', pages: 1 });
    expect(invoice.fields['BT-1']).toBe(french.number);
    expect(invoice.fields['BT-112']).toBe(decimal(totalsOf(french).gross));
  });

  it('works with the network unavailable: nothing is downloaded at run time', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'facteur-offline-'));
    const image = join(folder, 'facture.png');
    await writeFile(image, await pageImage(await printInvoice(french), { dpi: 300 }));
    const script = join(folder, 'read.ts');
    const entry = fileURLToPath(new URL('../../src/einvoice/index.ts', import.meta.url));
    await writeFile(
      script,
      `import { readFile } from 'node:fs/promises';
import { extractInvoice } from ${JSON.stringify(entry)};
const invoice = await extractInvoice(new Uint8Array(await readFile(${JSON.stringify(image)})));
console.log(JSON.stringify(invoice.fields));
process.exit(0);
`,
    );
    const preload = new URL('./support/no-network.mjs', import.meta.url).href;
    // A fresh temporary folder for the traineddata copy: nothing cached by earlier runs helps.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', preload, script], {
      env: { ...process.env, TMPDIR: folder },
      timeout: 120_000,
    });
    expect(stderr).not.toContain('NETWORK ATTEMPT');
    expect(JSON.parse(stdout)).toMatchObject({ 'BT-1': french.number, 'BT-112': decimal(totalsOf(french).gross) });
  });

  it('reads the words printed on a shaded table row', async () => {
    const printed: PrintedInvoice = { ...SAMPLES.de, layout: 'beside', shadedIds: true };
    const invoice = await extractInvoice(await pageImage(await printInvoice(printed), { dpi: 300 }));
    expect(invoice.fields['BT-31']).toBe(printed.seller.vatId);
  });

  it('refuses a decompression bomb before decoding it', async () => {
    await expect(extractInvoice(decompressionBomb())).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE', permanent: true });
  });

  it('refuses an image that cannot be decoded', async () => {
    const broken = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
    await expect(extractInvoice(broken)).rejects.toMatchObject({ code: 'CORRUPT_IMAGE', permanent: true });
  });
});
