import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { openServerDb, requireServerUrl, resetTables, type TestDb } from './databases.ts';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
}

/** Starts a worker process and resolves once it is claiming jobs. */
export async function startWorkerProcess(env: {
  DATABASE_URL: string;
  CONCURRENCY?: number;
  LEASE_MS?: number;
  POLL_MS?: number;
  KILL_AT?: 'start' | 'handler' | 'commit';
}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_SCRIPT], {
    env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker process exited before it was ready (${code})`)));
  });
  return { child, exited };
}

export async function createExecutionsTable(db: Db): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS test_executions (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_id      uuid NOT NULL,
      pid         int NOT NULL,
      started_at  timestamptz NOT NULL,
      finished_at timestamptz
    )`);
}

export interface ExecutionReport {
  jobs: number;
  executions: number;
  /** Jobs that ran more than once. */
  rerun: number;
  notCompleted: number;
  /** Consecutive executions of one job that overlapped in time. */
  overlapping: number;
}

/**
 * Counts executions per job and checks that no two executions of one job overlapped. An execution
 * that never finished in a killed process ended at that process's death, given in `deaths`.
 */
export async function checkExecutions(db: Db, deaths: Map<number, Date> = new Map()): Promise<ExecutionReport> {
  const jobs = await db.query<{ n: number; not_completed: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE status <> 'completed')::int AS not_completed FROM processing_queue`,
  );
  const executions = await db.query<{ job_id: string; pid: number; started_at: Date; finished_at: Date | null }>(
    'SELECT job_id, pid, started_at, finished_at FROM test_executions ORDER BY job_id, started_at',
  );
  const byJob = new Map<string, { start: number; end: number }[]>();
  for (const row of executions.rows) {
    // Unfinished in a live process: the handler's own write was cut and it failed then (the attempt
    // is recorded in job_attempts); its end is unknown, so it takes no part in the overlap check.
    const end = row.finished_at ?? deaths.get(row.pid);
    if (!end) continue;
    const list = byJob.get(row.job_id) ?? [];
    list.push({ start: row.started_at.getTime(), end: end.getTime() });
    byJob.set(row.job_id, list);
  }
  let rerun = 0;
  let overlapping = 0;
  for (const list of byJob.values()) {
    if (list.length > 1) rerun += 1;
    for (let i = 1; i < list.length; i++) if (list[i]!.start < list[i - 1]!.end) overlapping += 1;
  }
  return {
    jobs: jobs.rows[0]!.n,
    executions: executions.rows.length,
    rerun,
    notCompleted: jobs.rows[0]!.not_completed,
    overlapping,
  };
}

export interface WorkerProcessSuite {
  readonly db: Db;
  readonly queue: Queue;
  /** Starts a worker process on the suite's schema; it is killed after the test. */
  start(env?: Omit<Parameters<typeof startWorkerProcess>[0], 'DATABASE_URL'>): Promise<WorkerProcess>;
}

/**
 * The hooks of a suite that runs worker processes against the server: a schema of its own with
 * the executions table, emptied before each test, its processes killed after each, dropped at
 * the end.
 */
export function useWorkerProcesses(): WorkerProcessSuite {
  let test: TestDb | undefined;
  let queue: Queue | undefined;
  const processes: WorkerProcess[] = [];
  beforeAll(async () => {
    test = await openServerDb(requireServerUrl());
    queue = new Queue(test.db);
    await createExecutionsTable(test.db);
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await resetTables(test!.db);
    await test!.db.query('TRUNCATE test_executions');
  });
  afterEach(() => {
    for (const { child } of processes.splice(0)) child.kill('SIGKILL');
  });
  return {
    get db() {
      return test!.db;
    },
    get queue() {
      return queue!;
    },
    async start(env = {}) {
      const worker = await startWorkerProcess({ DATABASE_URL: test!.url!, ...env });
      processes.push(worker);
      return worker;
    },
  };
}
