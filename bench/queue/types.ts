/**
 * One small interface in front of each queue under test (Facteur, graphile-worker, pg-boss), so
 * the workloads in run.ts are written once and run unchanged against all three.
 */

export type SystemName = 'facteur' | 'graphile-worker' | 'pg-boss';

export const SYSTEMS: readonly SystemName[] = ['facteur', 'graphile-worker', 'pg-boss'];

/**
 * One system at one setting: `system` or `system:key=value,key=value` (e.g. `facteur:prefetch=1000`,
 * `graphile-worker:localQueue=1000`, `pg-boss:batchSize=5`), the label its numbers go under.
 */
export interface Variant {
  label: string;
  system: SystemName;
  options: Record<string, string>;
}

export function parseVariant(label: string): Variant {
  const [system, rest = ''] = label.split(':', 2) as [string, string | undefined];
  if (!SYSTEMS.includes(system as SystemName)) throw new Error(`unknown system ${system} in ${label}`);
  const options: Record<string, string> = {};
  for (const pair of rest.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=', 2);
    if (!key || value === undefined) throw new Error(`bad option ${pair} in ${label} (key=value)`);
    options[key] = value;
  }
  return { label, system: system as SystemName, options };
}

/** Where a system's tables live: a schema of its own on the shared server, made for this run. */
export interface SchemaContext {
  /** The server's URL, without any search_path. */
  serverUrl: string;
  /** The schema this system installs into (created by install(), dropped by the runner). */
  schema: string;
  /** The application_name its connections carry (pg_stat_activity counts per name). */
  applicationName: string;
}

/**
 * Runs one job's work. `seq` is the number the job was added with (its payload), so the runner can
 * count runs per job. Throwing fails the attempt.
 */
export type JobHandler = (seq: number) => void | Promise<void>;

export interface WorkerSpec {
  concurrency: number;
  handler: JobHandler;
  /** The handler may throw (W4): systems whose fastest batch mode cannot fail one job pick a per-job mode. */
  mayFail?: boolean;
}

/** Adds jobs and counts them; one pool of its own, apart from any worker's. */
export interface QueueClient {
  /** Adds one no-op job whose payload is `{ seq }`; `owner` where the system keeps one (W5: Facteur). */
  add(seq: number, owner?: string): Promise<void>;
  /** Adds many in one call. */
  addMany(seqs: readonly number[], owner?: string): Promise<void>;
  /**
   * Jobs not settled yet: waiting, running, or waiting for a retry (a job failed for good is
   * settled). Polled every few ms at the end of a drain, so it must stay cheap on a large table.
   */
  unsettled(): Promise<number>;
  /** Jobs that did not succeed (unsettled, or failed for good): once, at the end. */
  notSucceeded(): Promise<number>;
  close(): Promise<void>;
}

export interface RunningWorker {
  /** Stops claiming, lets running jobs finish, records their outcomes, closes its connections. */
  stop(): Promise<void>;
}

export interface Adapter {
  name: SystemName;
  /** The variant's label (the system's name at its default settings). */
  label: string;
  /** The settings used, as written beside the numbers. */
  settings: Record<string, string | number | boolean>;
  /** Creates the schema and the system's tables (and the queue, where the system has named queues). */
  install(ctx: SchemaContext): Promise<void>;
  /** `notify: false` adds without waking workers (where the system allows it per client; Facteur only). */
  openClient(ctx: SchemaContext, options?: { notify?: boolean }): Promise<QueueClient>;
  startWorker(ctx: SchemaContext, spec: WorkerSpec): Promise<RunningWorker>;
}

/** The process-wide high-resolution clock on an absolute scale (ms since the epoch), comparable across processes. */
export function nowAbs(): number {
  return performance.timeOrigin + performance.now();
}
