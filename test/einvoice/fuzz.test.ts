// Property: whatever the bytes, extraction ends in an invoice or a typed InvoiceError, never in
// another exception (a crash of the worker) — for mangled XML, mangled PDFs and plain noise.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractInvoice, isInvoiceError } from '../../src/einvoice/index.ts';
import { sampleInvoice } from './support/sample.ts';
import { writeCii, writeFacturX, writeUbl } from './support/writer.ts';

/** Overwrites, deletes or truncates bytes of a valid document. */
const mangled = (original: Uint8Array) =>
  fc
    .array(
      fc.oneof(
        fc.record({ kind: fc.constant('set' as const), at: fc.nat(original.length - 1), value: fc.nat(255) }),
        fc.record({ kind: fc.constant('cut' as const), at: fc.nat(original.length - 1), length: fc.nat(64) }),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((edits) => {
      let bytes = original.slice();
      for (const edit of edits) {
        const at = Math.min(edit.at, bytes.length - 1);
        if (edit.kind === 'set') bytes[at] = edit.value;
        else bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + edit.length)]);
      }
      return bytes;
    });

async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    return (await extractInvoice(bytes)).format;
  } catch (error) {
    if (isInvoiceError(error)) return error.code;
    throw error;
  }
}

describe('no input crashes the extractor', () => {
  it('mangled CII and UBL', async () => {
    const documents = [writeCii(sampleInvoice()), writeUbl(sampleInvoice())].map((xml) => new TextEncoder().encode(xml));
    for (const document of documents) {
      await fc.assert(
        fc.asyncProperty(mangled(document), async (bytes) => {
          expect(typeof (await outcome(bytes))).toBe('string');
        }),
        { numRuns: 150 },
      );
    }
  });

  it('mangled Factur-X PDFs', async () => {
    const pdf = await writeFacturX(sampleInvoice());
    await fc.assert(
      fc.asyncProperty(mangled(pdf), async (bytes) => {
        expect(typeof (await outcome(bytes))).toBe('string');
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes behind a PDF, XML or image signature', async () => {
    const signatures = ['%PDF-1.7\n', '<?xml version="1.0"?>', '\x89PNG\r\n\x1a\n', ''].map((s) =>
      Uint8Array.from(s, (c) => c.charCodeAt(0)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signatures), fc.uint8Array({ maxLength: 2000 }), async (signature, noise) => {
        expect(typeof (await outcome(new Uint8Array([...signature, ...noise])))).toBe('string');
      }),
      { numRuns: 150 },
    );
  });
});
