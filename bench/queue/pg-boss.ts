/** pg-boss 12 behind the benchmark's interface: a notify-enabled queue, batched fetches, burst while batches come back full. */
import { PgBoss } from 'pg-boss';
import type { Adapter, QueueClient, RunningWorker, SchemaContext, Variant, WorkerSpec } from './types.ts';

const QUEUE = 'noop';
const POLL_SECONDS = 0.5;
const RETRY_LIMIT = 2;
const RETRY_DELAY_S = 0;

/**
 * Options: batchSize (10 unless given), concurrency (jobs at once, the run's --concurrency unless
 * given). pg-boss runs a batch's jobs together and refuses a batchSize that does not divide the
 * concurrency (localConcurrency = concurrency / batchSize), so batchSize 100 needs concurrency 100.
 */
export function pgBossAdapter(variant: Variant): Adapter {
  const BATCH_SIZE = Number(variant.options.batchSize ?? process.env.BENCH_PGBOSS_BATCH ?? 10);
  const CONCURRENCY = variant.options.concurrency === undefined ? null : Number(variant.options.concurrency);
  return {
    name: 'pg-boss',
    label: variant.label,
    settings: {
      version: '12.38.0',
      concurrency: `${CONCURRENCY ?? 'the run’s'} = localConcurrency × batchSize ${BATCH_SIZE} (a batch's jobs run together)`,
      burstWhenBatchFull: true,
      pollingIntervalSeconds: POLL_SECONDS,
      notifyPollingIntervalSeconds: POLL_SECONDS,
      notify: 'useListenNotify: true, queue notify: true',
      maxConnections: '10 (default pool size)',
      retry: `retryLimit ${RETRY_LIMIT} (3 attempts), retryDelay ${RETRY_DELAY_S} s, no backoff; W4 handler uses perJobResults`,
      api: 'send / insert; work(name, options, handler) / stop()',
    },

    async install(ctx) {
      const boss = new PgBoss({
        connectionString: ctx.serverUrl,
        schema: ctx.schema,
        application_name: `${ctx.applicationName}:install`,
        supervise: false,
        schedule: false,
      });
      boss.on('error', () => {});
      await boss.start();
      try {
        await boss.createQueue(QUEUE, { notify: true, retryLimit: RETRY_LIMIT, retryDelay: RETRY_DELAY_S });
      } finally {
        await boss.stop({ graceful: false, close: true });
      }
    },

    async openClient(ctx: SchemaContext): Promise<QueueClient> {
      const boss = new PgBoss({
        connectionString: ctx.serverUrl,
        schema: ctx.schema,
        application_name: `${ctx.applicationName}:client`,
        supervise: false,
        schedule: false,
        migrate: false,
      });
      boss.on('error', () => {});
      await boss.start();
      return {
        async add(seq) {
          await boss.send(QUEUE, { seq });
        },
        async addMany(seqs) {
          await boss.insert(
            QUEUE,
            seqs.map((seq) => ({ data: { seq } })),
          );
        },
        async unsettled() {
          const rows = (
            await boss
              .getDb()
              .executeSql(`SELECT count(*)::int AS n FROM ${ctx.schema}.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`, [
                QUEUE,
              ])
          ).rows as { n: number }[];
          return rows[0]!.n;
        },
        async notSucceeded() {
          const rows = (
            await boss
              .getDb()
              .executeSql(`SELECT count(*)::int AS n FROM ${ctx.schema}.job WHERE name = $1 AND state <> 'completed'`, [QUEUE])
          ).rows as { n: number }[];
          return rows[0]!.n;
        },
        close: () => boss.stop({ graceful: false, close: true }),
      };
    },

    async startWorker(ctx: SchemaContext, spec: WorkerSpec): Promise<RunningWorker> {
      const concurrency = CONCURRENCY ?? spec.concurrency;
      if (concurrency % BATCH_SIZE !== 0)
        throw new Error(`pg-boss: concurrency ${concurrency} is not a multiple of the batch size ${BATCH_SIZE}`);
      const boss = new PgBoss({
        connectionString: ctx.serverUrl,
        schema: ctx.schema,
        application_name: ctx.applicationName,
        useListenNotify: true,
      });
      boss.on('error', () => {});
      await boss.start();
      const options = {
        batchSize: BATCH_SIZE,
        localConcurrency: concurrency / BATCH_SIZE,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: POLL_SECONDS,
        notifyPollingIntervalSeconds: POLL_SECONDS,
      };
      if (spec.mayFail) {
        await boss.work<{ seq: number }>(QUEUE, { ...options, perJobResults: true }, async (jobs) => {
          const results = await Promise.allSettled(jobs.map(async (job) => spec.handler(job.data.seq)));
          return jobs.map((job, i) => ({
            id: job.id,
            status: results[i]!.status === 'fulfilled' ? ('completed' as const) : ('failed' as const),
          }));
        });
      } else {
        await boss.work<{ seq: number }>(QUEUE, options, async (jobs) => {
          await Promise.all(jobs.map(async (job) => spec.handler(job.data.seq)));
        });
      }
      return {
        async stop() {
          await boss.stop({ graceful: true, close: true, timeout: 10_000 });
        },
      };
    },
  };
}
