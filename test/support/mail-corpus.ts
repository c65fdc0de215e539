// Messages with 1 to 5 mixed attachments (CII, UBL, PDF, PNG, a zip of two), each with a small
// inline logo that must be left out, and how many invoices each should give. Deterministic, so a
// test and the benchmark can count exactly.
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { heavyTextPdf } from '../einvoice/support/heavy.ts';
import { writeCii, writeUbl } from '../einvoice/support/writer.ts';
import { buildMessage } from './dovecot.ts';
import { makeZip } from './zip.ts';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (seed: string, size: number) => {
  const bytes = Buffer.alloc(size, seed);
  bytes.set(PNG_MAGIC, 0);
  return bytes;
};

export interface CorpusMessage {
  raw: Buffer;
  messageId: string;
  /** Invoices this message should give. */
  invoices: number;
}

export function mailCorpus(count: number, prefix = 'corpus'): CorpusMessage[] {
  const base = sampleInvoice();
  const xml = (n: string, ubl: boolean) => {
    const content = { ...base, fields: { ...base.fields, 'BT-1': n } };
    return Buffer.from(ubl ? writeUbl(content) : writeCii(content));
  };
  const pdf = heavyTextPdf(40);
  return Array.from({ length: count }, (_, i) => {
    const attachments: { name: string; type: string; content: Uint8Array; inline?: boolean }[] = [];
    let invoices = 0;
    const parts = 1 + (i % 5);
    for (let p = 0; p < parts; p++) {
      const n = `${prefix}-${i}-${p}`;
      switch ((i + p) % 5) {
        case 0:
          attachments.push({ name: `${n}.xml`, type: 'application/xml', content: xml(n, false) });
          invoices++;
          break;
        case 1:
          attachments.push({ name: `${n}.xml`, type: 'text/xml', content: xml(n, true) });
          invoices++;
          break;
        case 2:
          attachments.push({
            name: `${n}.pdf`,
            type: 'application/pdf',
            content: Buffer.concat([Buffer.from(pdf), Buffer.from(`\n% ${n}\n`)]),
          });
          invoices++;
          break;
        case 3:
          attachments.push({ name: `${n}.png`, type: 'image/png', content: png(n, 20_000) });
          invoices++;
          break;
        default:
          attachments.push({
            name: `${n}.zip`,
            type: 'application/zip',
            content: makeZip([
              { name: `factures/${n}-a.xml`, content: xml(`${n}-a`, false) },
              { name: `factures/${n}-b.xml`, content: xml(`${n}-b`, true) },
            ]),
          });
          invoices += 2;
      }
    }
    // A signature logo, inline and small: not an invoice.
    attachments.push({ name: 'logo.png', type: 'image/png', content: png(`logo${i}`, 2_000), inline: true });
    const messageId = `${prefix}-${i}@fournisseur.example`;
    return { raw: buildMessage({ messageId, subject: `Facture ${prefix} ${i}`, attachments }), messageId, invoices };
  });
}
