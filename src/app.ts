import type { Config } from './config.ts';
import type { FolderWatch } from './intake/folder.ts';
import type { MailboxWatch } from './intake/mailbox.ts';
import { connect, migrate, type Db } from './db/index.ts';
import type { Logger } from './logger.ts';
import { Queue } from './queue/queue.ts';
import { Worker, type TaskHandlers } from './queue/worker.ts';
import { PROCESS_INVOICE } from './invoices/jobs.ts';
import { createMetrics, type FacteurMetrics } from './metrics.ts';
import { builtinTasks } from './tasks/builtin.ts';

/** Facteur wired from its configuration: the database, the queue and the tasks workers run. */
export interface Facteur {
  config: Config;
  db: Db;
  queue: Queue;
  tasks: TaskHandlers;
  logger: Logger;
  metrics: FacteurMetrics;
  createWorker(overrides?: { concurrency?: number; prefetch?: number; pollOnly?: boolean }): Worker;
  /** Starts watching the configured folder (FACTEUR_WATCH_DIR) beside a worker; null when none is. */
  startFolderWatch(): Promise<FolderWatch | null>;
  /** Starts reading the stored mailboxes beside a worker (when FACTEUR_SECRET_KEY is set); null otherwise. */
  startMailboxWatch(): Promise<MailboxWatch | null>;
  close(): Promise<void>;
}

/** Connects (PostgreSQL or the embedded database), applies pending migrations, and builds the queue. */
export async function openFacteur(config: Config, logger: Logger, options: { migrate?: boolean } = {}): Promise<Facteur> {
  const db = await connect({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir,
    poolMode: config.poolMode,
    maxConnections: config.dbPoolMax,
    onError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
  try {
    if (options.migrate ?? true) await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  // Loaded here rather than on import: a program that uses only the engine (`import { Queue, Worker }
  // from 'facteur'`) does not load the e-invoice library (pdfjs, tesseract.js, sharp: ~40 MiB).
  const { processInvoiceTask } = await import('./invoices/handler.ts');
  const queue = new Queue(db, {
    tasks: [...Object.keys(builtinTasks), PROCESS_INVOICE],
    maxAttempts: config.maxAttempts,
    backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    notify: db.canListen && !config.pollOnly,
  });
  const metrics = createMetrics(queue);
  const tasks: TaskHandlers = { ...builtinTasks, [PROCESS_INVOICE]: processInvoiceTask(db, metrics.extractionObserver) };
  return {
    config,
    db,
    queue,
    tasks,
    logger,
    metrics,
    createWorker: (overrides = {}) =>
      new Worker({
        queue,
        tasks,
        logger,
        observer: metrics.workerObserver,
        concurrency: overrides.concurrency ?? config.concurrency,
        prefetch: overrides.prefetch ?? config.prefetch,
        jobTimeoutMs: config.jobTimeoutMs,
        leaseMs: config.leaseMs,
        retentionMs: config.retentionMs,
        pollMs: config.pollMs,
        pollOnly: overrides.pollOnly ?? config.pollOnly,
      }),
    startFolderWatch: async () => {
      if (!config.watch) return null;
      const { startFolderWatch } = await import('./intake/folder.ts');
      return startFolderWatch({ db, queue, logger }, config.watch, config.maxUploadBytes);
    },
    startMailboxWatch: async () => {
      if (!config.mail) return null;
      const [{ startMailboxWatch }, { defaultMailLimits }, { requireSecretKey }] = await Promise.all([
        import('./intake/mailbox.ts'),
        import('./intake/mail.ts'),
        import('./intake/secret.ts'),
      ]);
      return startMailboxWatch({ db, queue, logger }, requireSecretKey(), {
        limits: defaultMailLimits(config.maxUploadBytes),
        batch: 100,
        intervalMs: config.mail.intervalMs,
      });
    },
    close: () => db.close(),
  };
}
