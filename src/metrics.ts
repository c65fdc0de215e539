import client from 'prom-client';
import type { NormalisedInvoice } from './einvoice/model.ts';
import { QUEUE_TABLES, type Queue, type WorkerObserver } from './queue/index.ts';

/** Told of every invoice the process_invoice task extracted. */
export interface ExtractionObserver {
  extracted(invoice: NormalisedInvoice, durationMs: number): void;
}

export interface FacteurMetrics {
  workerObserver: WorkerObserver;
  extractionObserver: ExtractionObserver;
  invoicesReceived(count: number): void;
  /** The Prometheus text exposition, with the queue's figures read from the database now. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Prometheus metrics. The queue's state (jobs by status, depth, oldest pending) is read from the
 * database at each scrape, so any process tells the whole truth; counters and durations are this
 * process's own, as Prometheus expects when it scrapes each process.
 */
export function createMetrics(queue: Queue): FacteurMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'facteur_' });
  const jobs = new client.Gauge({
    name: 'facteur_jobs',
    help: `Jobs in ${QUEUE_TABLES.jobs} by status.`,
    labelNames: ['status'],
    registers: [registry],
  });
  const scheduled = new client.Gauge({
    name: 'facteur_jobs_scheduled',
    help: 'Pending jobs not due yet (retry backoff, delay).',
    registers: [registry],
  });
  const oldestPending = new client.Gauge({
    name: 'facteur_oldest_pending_seconds',
    help: 'Age of the oldest pending job.',
    registers: [registry],
  });
  const attempts = new client.Counter({
    name: 'facteur_job_attempts_total',
    help: 'Attempts this process finished, by task and outcome (completed, failed, released, lost).',
    labelNames: ['task', 'outcome'],
    registers: [registry],
  });
  const durations = new client.Histogram({
    name: 'facteur_job_duration_seconds',
    help: 'Duration of the attempts this process ran, by task and outcome.',
    labelNames: ['task', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const reaped = new client.Counter({
    name: 'facteur_jobs_reaped_total',
    help: 'Jobs this process took back from workers whose lease expired.',
    registers: [registry],
  });
  const received = new client.Counter({
    name: 'facteur_invoices_received_total',
    help: 'Invoices this process accepted for processing.',
    registers: [registry],
  });
  const extraction = new client.Histogram({
    name: 'facteur_extraction_duration_seconds',
    help: 'Time to extract and validate one invoice, by format.',
    labelNames: ['format'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const fields = new client.Counter({
    name: 'facteur_extracted_fields_total',
    help: 'Business terms found in extracted invoices, by format.',
    labelNames: ['format'],
    registers: [registry],
  });

  return {
    workerObserver: {
      attemptFinished({ task, outcome, durationMs }) {
        attempts.inc({ task, outcome });
        durations.observe({ task, outcome }, durationMs / 1000);
      },
      reaped: (count) => reaped.inc(count),
    },
    extractionObserver: {
      extracted(invoice, durationMs) {
        extraction.observe({ format: invoice.format }, durationMs / 1000);
        fields.inc({ format: invoice.format }, Object.keys(invoice.fields).length);
      },
    },
    invoicesReceived: (count) => received.inc(count),
    async exposition() {
      const stats = await queue.stats();
      for (const status of ['pending', 'processing', 'completed', 'failed'] as const) jobs.set({ status }, stats[status]);
      scheduled.set(stats.scheduled);
      oldestPending.set(stats.oldestPendingMs / 1000);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
