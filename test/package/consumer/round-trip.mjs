// What another project does with the installed package, in plain JavaScript: the engine on an
// embedded in-memory PGlite (migrate, enqueue, a Worker that completes the job) and the e-invoice
// library on the given files.
import { readFile } from 'node:fs/promises';
import { connect, migrate, Queue, Worker } from 'facteur';
import { extractInvoice } from 'facteur/einvoice';

export async function roundTrip(files) {
  const db = await connect();
  try {
    const { applied } = await migrate(db);
    const queue = new Queue(db, { tasks: ['greet'] });
    let handled;
    const ran = new Promise((resolve) => {
      handled = resolve;
    });
    const worker = new Worker({ queue, pollMs: 50, tasks: { greet: async (payload) => handled(payload) } });
    const job = await queue.enqueue({ task: 'greet', payload: { from: 'consumer' } });
    await worker.start();
    const payload = await ran;
    await worker.stop({ graceMs: 5_000 });
    const settled = await queue.getJob(job.id);
    const invoices = [];
    for (const file of files) {
      const invoice = await extractInvoice(new Uint8Array(await readFile(file)));
      invoices.push({ format: invoice.format, source: invoice.source, number: invoice.fields['BT-1'] });
    }
    return { migrations: applied.length, payload, status: settled?.status, invoices };
  } finally {
    await db.close();
  }
}
