import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { connect, migrate, type Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { Worker } from '../../src/queue/worker.ts';
import { createDatabase } from '../support/databases.ts';
import { type Pooler, startPgBouncer } from '../support/pgbouncer.ts';

// Supabase's pooler on port 6543 is transaction mode: the worker must poll, and must not use named
// prepared statements. A PgBouncer 1.18 (no prepared statement support in that mode) stands in.
describe('through a transaction-mode pooler', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let pooler: Pooler;
  let db: Db;

  beforeAll(async () => {
    database = await createDatabase('facteur_pooler');
    pooler = await startPgBouncer({ host: database.server.hostname, port: Number(database.server.port || 5432), database: database.name });
    const url = `postgres://postgres@127.0.0.1:${pooler.port}/${database.name}?pgbouncer=true`;
    const config = loadConfig({ DATABASE_URL: url });
    expect(config).toMatchObject({ poolMode: 'transaction', pollOnly: true });
    db = await connect({ url, poolMode: config.poolMode, maxConnections: 6 });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await pooler?.stop();
    await database?.drop();
  });

  it('migrates, enqueues and drains with two poll-only workers', async () => {
    expect(db.canListen).toBe(false);
    const queue = new Queue(db);
    await queue.enqueueMany(Array.from({ length: 1_000 }, (_, n) => ({ task: 'noop', payload: { n } })));
    let runs = 0;
    const workers = [0, 1].map(
      () => new Worker({ queue, tasks: { noop: async () => void (runs += 1) }, concurrency: 10, pollMs: 50, pollOnly: true }),
    );
    const reports = await Promise.all(workers.map((worker) => worker.drain({ budgetMs: 60_000 })));
    expect(reports.reduce((sum, r) => sum + r.completed, 0)).toBe(1_000);
    expect(runs).toBe(1_000);
    expect(await queue.stats()).toMatchObject({ pending: 0, processing: 0, completed: 1_000, failed: 0 });
    expect(await migrate(db)).toMatchObject({ applied: [] });
  });
});
