/** Facteur behind the benchmark's interface: its own Queue and Worker, nothing added. */
import pg from 'pg';
import type * as Engine from '../../src/index.ts';
import { urlWithSchema } from '../../test/support/schema-url.ts';
import type { Adapter, QueueClient, RunningWorker, SchemaContext, Variant, WorkerSpec } from './types.ts';

/**
 * Facteur as another program loads it: the package's compiled entry (`facteur`, dist/), or with
 * BENCH_FACTEUR_FROM=src the TypeScript sources, type-stripped by Node, to compare the two. The
 * variant `fifo=1` loads instead the build of the commit before fair claiming (its global claim
 * order, W5's reference): BENCH_FACTEUR_FIFO_ENTRY, else /tmp/facteur-fifo/dist/index.js, built with
 *   git archive a6058ef src supabase data tsconfig.build.json tsconfig.json package.json | tar -x -C /tmp/facteur-fifo
 *   ln -s "$PWD/node_modules" /tmp/facteur-fifo/node_modules
 *   (cd /tmp/facteur-fifo && node node_modules/typescript/bin/tsc -p tsconfig.build.json)
 */
function entryOf(variant: Variant): string {
  if (variant.options.fifo === '1') return process.env.BENCH_FACTEUR_FIFO_ENTRY ?? '/tmp/facteur-fifo/dist/index.js';
  return process.env.BENCH_FACTEUR_FROM === 'src' ? '../../src/index.ts' : 'facteur';
}

const POLL_MS = 500;
/** W4: the retry delay, the same (0) for every system that lets it be set. */
const BACKOFF = { baseMs: 0, maxMs: 0 };
const MAX_ATTEMPTS = 3;

export async function facteurAdapter(variant: Variant): Promise<Adapter> {
  const entry = entryOf(variant);
  const { connect, migrate, Queue, Worker }: typeof Engine = await import(entry);
  const prefetch = Number(variant.options.prefetch ?? process.env.BENCH_FACTEUR_PREFETCH ?? 100);
  const queueOf = (db: Engine.Db, notify?: boolean): Engine.Queue =>
    new Queue(db, { backoff: BACKOFF, maxAttempts: MAX_ATTEMPTS, ...(notify === undefined ? {} : { notify }) });
  const PREFETCH = prefetch;
  const FROM = entry;
  return {
    name: 'facteur',
    label: variant.label,
    settings: {
      concurrency: 10,
      prefetch: PREFETCH,
      pollMs: POLL_MS,
      notify: 'LISTEN/NOTIFY (the default on PostgreSQL)',
      maxConnections: '10 (default pool size)',
      retry: `backoff baseMs ${BACKOFF.baseMs}, maxMs ${BACKOFF.maxMs}; maxAttempts ${MAX_ATTEMPTS}`,
      api: 'Queue.enqueue / enqueueMany; Worker.start() / stop()',
      loaded:
        variant.options.fifo === '1'
          ? `the build before fair claiming (${FROM}): one global claim order`
          : FROM === 'facteur'
            ? "the package's compiled entry (dist/index.js)"
            : 'the TypeScript sources (BENCH_FACTEUR_FROM=src)',
    },

    async install(ctx) {
      const admin = new pg.Client({ connectionString: ctx.serverUrl, application_name: 'bench-queue-runner' });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA ${ctx.schema}`);
      } finally {
        await admin.end();
      }
      const db = await connect({
        url: urlWithSchema(ctx.serverUrl, ctx.schema),
        maxConnections: 1,
        applicationName: `${ctx.applicationName}:install`,
      });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
    },

    async openClient(ctx: SchemaContext, options: { notify?: boolean } = {}): Promise<QueueClient> {
      const db = await connect({ url: urlWithSchema(ctx.serverUrl, ctx.schema), applicationName: `${ctx.applicationName}:client` });
      const queue = queueOf(db, options.notify);
      return {
        async add(seq, owner) {
          await queue.enqueue({ task: 'noop', payload: { seq }, ...(owner ? { owner } : {}) });
        },
        async addMany(seqs, owner) {
          await queue.enqueueMany(seqs.map((seq) => ({ task: 'noop', payload: { seq }, ...(owner ? { owner } : {}) })));
        },
        async unsettled() {
          // Each count walks one partial index (pending, processing), however many finished jobs the table keeps.
          const result = await db.query<{ n: number }>(
            `SELECT (SELECT count(*) FROM processing_queue WHERE status = 'pending')::int
                + (SELECT count(*) FROM processing_queue WHERE status = 'processing')::int AS n`,
          );
          return result.rows[0]!.n;
        },
        async notSucceeded() {
          const result = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM processing_queue WHERE status <> 'completed'`);
          return result.rows[0]!.n;
        },
        close: () => db.close(),
      };
    },

    async startWorker(ctx: SchemaContext, spec: WorkerSpec): Promise<RunningWorker> {
      const db = await connect({ url: urlWithSchema(ctx.serverUrl, ctx.schema), applicationName: ctx.applicationName });
      const worker = new Worker({
        queue: queueOf(db),
        tasks: {
          noop: async (payload) => {
            await spec.handler((payload as { seq: number }).seq);
          },
        },
        concurrency: spec.concurrency,
        prefetch: PREFETCH,
        pollMs: POLL_MS,
      });
      await worker.start();
      return {
        async stop() {
          await worker.stop({ graceMs: 10_000 });
          await db.close();
        },
      };
    },
  };
}
