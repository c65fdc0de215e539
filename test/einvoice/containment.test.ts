// The visual path runs in worker threads: a file that exhausts its worker's memory or runs past its
// time fails with its own code, and the next file is read as if nothing had happened.
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { extractInvoice, stopVisualWorkers } from '../../src/einvoice/index.ts';
import { heavyTextPdf } from './support/heavy.ts';
import { pageImage } from './support/images.ts';
import { printInvoice, SAMPLES } from './support/printed.ts';

afterAll(stopVisualWorkers);

const plainPdf = () => printInvoice({ ...SAMPLES.fr, layout: 'beside' });

describe('containment of the visual path', () => {
  it('fails a file whose reading exhausts the worker heap with EXTRACTION_OUT_OF_MEMORY, then reads the next one', async () => {
    // 11 MB on disk, 300,000 text items once parsed: more than a 64 MB heap holds.
    await expect(extractInvoice(heavyTextPdf(300_000), { limits: { workerHeapMb: 64 } })).rejects.toMatchObject({
      code: 'EXTRACTION_OUT_OF_MEMORY',
      permanent: true,
    });
    expect((await extractInvoice(await plainPdf())).fields['BT-1']).toBe(SAMPLES.fr.number);
  });

  it('fails a file that runs past its time limit with EXTRACTION_TIMEOUT, then reads the next one', async () => {
    const image = await pageImage(await plainPdf(), { dpi: 150 });
    await expect(extractInvoice(image, { limits: { visualTimeoutMs: 200 } })).rejects.toMatchObject({ code: 'EXTRACTION_TIMEOUT' });
    expect((await extractInvoice(await plainPdf())).fields['BT-1']).toBe(SAMPLES.fr.number);
  });

  it('reads a sliver of a page (0.22 × 842 pt) without enlarging it past the pixel limit', async () => {
    // Rendered at 300 dpi it is 1 × 3,508 pixels; scaled so its short side becomes an A4 width, it
    // was 2,481 × 8,703,348, and the OCR never ended.
    const pdf = await PDFDocument.create();
    pdf.addPage([0.22, 842]);
    const outcome = await extractInvoice(await pdf.save()).then(
      (invoice) => invoice.format,
      (error: unknown) => (error as { code?: string }).code,
    );
    expect(outcome).toMatch(/^(ocr|NOT_AN_INVOICE)$/);
  });

  it("stops when the job's signal fires, with the signal's reason", async () => {
    const image = await pageImage(await plainPdf(), { dpi: 150 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('job timed out')), 200);
    await expect(extractInvoice(image, { signal: controller.signal })).rejects.toThrow('job timed out');
  });
});
