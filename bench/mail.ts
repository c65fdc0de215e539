/**
 * Mailbox intake: messages per second from a real Dovecot mailbox into the queue (each message's
 * invoices, jobs and record committed, then the message marked), and the reader's peak RSS.
 *
 *   node --expose-gc bench/mail.ts [--messages 500] [--batch 100] [--large 10] [--large-mb 10]
 *
 * Two phases, each on a fresh IMAP folder: `messages` messages with 1–5 mixed attachments (the
 * tests' corpus: CII, UBL, PDF, PNG, zips), then `large` messages each carrying one PDF of
 * `large-mb` MB, to see that memory follows the largest message rather than the mailbox. Dovecot
 * is started as in the tests; PostgreSQL comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 * else the machine's server, in a schema of its own dropped afterwards. Run it under the lock.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { connect, migrate } from '../src/db/index.ts';
import { defaultMailLimits } from '../src/intake/mail.ts';
import { addMailbox, pollMailbox } from '../src/intake/mailbox.ts';
import { PROCESS_INVOICE } from '../src/invoices/jobs.ts';
import { Queue } from '../src/queue/queue.ts';
import { createSchema } from '../test/support/databases.ts';
import { buildMessage, startDovecot } from '../test/support/dovecot.ts';
import { mailCorpus } from '../test/support/mail-corpus.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '500' },
    batch: { type: 'string', default: '100' },
    large: { type: 'string', default: '10' },
    'large-mb': { type: 'string', default: '10' },
  },
});
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MiB = 1024 * 1024;

const dovecot = await startDovecot();
const schema = await createSchema(serverUrl);
const db = await connect({ url: schema.url });
const key = randomBytes(32);
const results: Record<string, unknown>[] = [];
try {
  await migrate(db);
  const queue = new Queue(db, { tasks: [PROCESS_INVOICE] });
  const logger = pino({ level: 'silent' });
  const limits = defaultMailLimits(50 * MiB);

  /** Appends `count` messages made one at a time (none kept here), then reads them all. */
  async function phase(name: string, count: number, message: (i: number) => Buffer): Promise<void> {
    const folder = `bench-${name}`;
    const client = await dovecot.client();
    await client.mailboxCreate(folder);
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const raw = message(i);
      bytes += raw.byteLength;
      await client.append(folder, raw);
    }
    await client.logout();
    const added = await addMailbox(db, key, {
      owner: 'bench',
      name,
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: dovecot.user,
      password: dovecot.password,
      folder,
      processedFolder: null,
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = performance.now();
    let taken = 0;
    let invoices = 0;
    for (;;) {
      const report = await pollMailbox(
        { db, queue, logger },
        { ...added, password: dovecot.password },
        { limits, batch: Number(values.batch) },
      );
      if (report.taken + report.refused + report.again === 0) break;
      taken += report.taken;
      invoices += report.invoices;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const megabytes = bytes / MiB;
    const result = {
      phase: name,
      messages: count,
      taken,
      invoices,
      mailboxMiB: Math.round(megabytes * 10) / 10,
      seconds: Math.round(seconds * 100) / 100,
      messagesPerSecond: Math.round((taken / seconds) * 10) / 10,
      invoicesPerSecond: Math.round((invoices / seconds) * 10) / 10,
      rssBeforeMiB: Math.round(rssBefore / MiB),
      peakRssMiB: Math.round(peak / MiB),
    };
    results.push(result);
    console.log(
      `${name.padEnd(8)} ${taken}/${count} messages (${result.mailboxMiB} MiB), ${invoices} invoices in ${result.seconds} s: ` +
        `${result.messagesPerSecond} messages/s, ${result.invoicesPerSecond} invoices/s; RSS ${result.rssBeforeMiB} → peak ${result.peakRssMiB} MiB`,
    );
  }

  const corpus = mailCorpus(Number(values.messages), 'bench');
  await phase('mixed', corpus.length, (i) => corpus[i]!.raw);
  corpus.length = 0;
  const pdfHead = Buffer.from('%PDF-1.4\n% large\n');
  await phase('large', Number(values.large), (i) =>
    buildMessage({
      messageId: `large-${i}@bench`,
      attachments: [
        {
          name: `large-${i}.pdf`,
          type: 'application/pdf',
          content: Buffer.concat([pdfHead, randomBytes(Number(values['large-mb']) * MiB)]),
        },
      ],
    }),
  );
} finally {
  await db.close();
  await schema.drop();
  await dovecot.dispose();
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const report = { date: new Date().toISOString(), node: process.version, batch: Number(values.batch), results };
writeFileSync(new URL(`./results/mail-${stamp}.json`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log(`bench/results/mail-${stamp}.json`);
