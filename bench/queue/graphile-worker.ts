/** graphile-worker 0.18 behind the benchmark's interface, with its batching turned on. */
import { Logger, makeWorkerUtils, run, runMigrations } from 'graphile-worker';
import type { Adapter, QueueClient, RunningWorker, SchemaContext, Variant, WorkerSpec } from './types.ts';

const POLL_MS = 500;
const MAX_ATTEMPTS = 3;

const silent = new Logger(() => () => {});

function withAppName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

/** Options: localQueue (its size; 50 unless given), batchDelay (completeJobBatchDelay and failJobBatchDelay, ms; 20). */
export function graphileWorkerAdapter(variant: Variant): Adapter {
  const LOCAL_QUEUE_SIZE = Number(variant.options.localQueue ?? process.env.BENCH_GW_LOCAL_QUEUE ?? 50);
  const BATCH_DELAY_MS = Number(variant.options.batchDelay ?? process.env.BENCH_GW_BATCH_DELAY_MS ?? 20);
  return {
    name: 'graphile-worker',
    label: variant.label,
    settings: {
      version: '0.18.0',
      concurrency: 10,
      'localQueue.size': LOCAL_QUEUE_SIZE,
      completeJobBatchDelay: BATCH_DELAY_MS,
      failJobBatchDelay: BATCH_DELAY_MS,
      pollInterval: POLL_MS,
      maxPoolSize: '10 (default)',
      preparedStatements: 'true (default)',
      notify: 'LISTEN/NOTIFY (always on)',
      retry: `maxAttempts ${MAX_ATTEMPTS}; delay fixed by graphile-worker at exp(attempts) s = 2.72 s after the first failure (not configurable)`,
      api: 'makeWorkerUtils().addJob / addJobs; run({ taskList }) / runner.stop()',
    },

    async install(ctx) {
      // graphile-worker creates its schema itself.
      await runMigrations({
        connectionString: withAppName(ctx.serverUrl, `${ctx.applicationName}:install`),
        schema: ctx.schema,
        logger: silent,
      });
    },

    async openClient(ctx: SchemaContext): Promise<QueueClient> {
      const utils = await makeWorkerUtils({
        connectionString: withAppName(ctx.serverUrl, `${ctx.applicationName}:client`),
        schema: ctx.schema,
        logger: silent,
      });
      return {
        async add(seq) {
          await utils.addJob('noop', { seq }, { maxAttempts: MAX_ATTEMPTS });
        },
        // No owner: graphile-worker's named queues run one job at a time, not a fair share.
        async addMany(seqs) {
          await utils.addJobs(seqs.map((seq) => ({ identifier: 'noop', payload: { seq }, maxAttempts: MAX_ATTEMPTS })));
        },
        async unsettled() {
          // Completed jobs are deleted; a job failed for good stays, with no attempt left.
          const result = await utils.withPgClient((client) =>
            client.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM ${ctx.schema}._private_jobs WHERE attempts < max_attempts OR locked_at IS NOT NULL`,
            ),
          );
          return result.rows[0]!.n;
        },
        async notSucceeded() {
          const result = await utils.withPgClient((client) =>
            client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ctx.schema}._private_jobs`),
          );
          return result.rows[0]!.n;
        },
        async close() {
          await utils.release();
        },
      };
    },

    async startWorker(ctx: SchemaContext, spec: WorkerSpec): Promise<RunningWorker> {
      const runner = await run({
        connectionString: withAppName(ctx.serverUrl, ctx.applicationName),
        schema: ctx.schema,
        concurrency: spec.concurrency,
        pollInterval: POLL_MS,
        noHandleSignals: true,
        logger: silent,
        taskList: {
          noop: async (payload) => {
            await spec.handler((payload as { seq: number }).seq);
          },
        },
        preset: {
          worker: {
            localQueue: { size: LOCAL_QUEUE_SIZE },
            completeJobBatchDelay: BATCH_DELAY_MS,
            failJobBatchDelay: BATCH_DELAY_MS,
          },
        },
      });
      return {
        async stop() {
          await runner.stop();
          await runner.promise.catch(() => {});
        },
      };
    },
  };
}
