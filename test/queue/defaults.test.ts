// The queue's defaults live in src/queue/defaults.ts; the jobs table's column defaults must agree
// with them, so that a job inserted without the Queue (by hand, by a migration) is the same job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { QUEUE_DEFAULTS } from '../../src/queue/defaults.ts';
import { testDatabases, type TestDb } from '../support/databases.ts';

describe.each(testDatabases())('queue defaults on $name', (database) => {
  let test: TestDb;

  beforeAll(async () => {
    test = await database.open();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('are the SQL column defaults of processing_queue', async () => {
    const { rows } = await test.db.query<{ column_name: string; column_default: string | null }>(
      `SELECT column_name, column_default FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'processing_queue'
          AND column_name IN ('priority', 'max_attempts')`,
    );
    const defaults = Object.fromEntries(rows.map((row) => [row.column_name, row.column_default]));
    expect(defaults).toEqual({ priority: String(QUEUE_DEFAULTS.priority), max_attempts: String(QUEUE_DEFAULTS.maxAttempts) });
  });
});

describe('queue defaults', () => {
  it('are the configuration’s when the environment says nothing', () => {
    expect(loadConfig({})).toMatchObject({
      concurrency: QUEUE_DEFAULTS.concurrency,
      prefetch: QUEUE_DEFAULTS.prefetch,
      jobTimeoutMs: QUEUE_DEFAULTS.jobTimeoutMs,
      maxAttempts: QUEUE_DEFAULTS.maxAttempts,
      pollMs: QUEUE_DEFAULTS.pollMs,
      leaseMs: QUEUE_DEFAULTS.leaseMs,
      retryBaseMs: QUEUE_DEFAULTS.retryBaseMs,
      retryMaxMs: QUEUE_DEFAULTS.retryMaxMs,
    });
  });
});
