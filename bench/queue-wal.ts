/**
 * Where the database's work per job goes: the WAL each phase of a job's life writes (enqueue,
 * claim + complete through a Worker), per job and per relation, read back exactly with pg_waldump.
 *
 *   node bench/queue-wal.ts [--jobs 10000] [--concurrency 10] [--prefetch 100] [--owners 1] [--fillfactor N]
 *
 * pg_current_wal_lsn() counts the whole cluster, and eight people share this server: the deltas
 * alone would count their WAL too. So the run's WAL range is read with pg_waldump (the server's
 * data directory must be readable: run as root or postgres) and only the records of this run's
 * database are kept: those touching its relations, and the commits of the transactions that did.
 * The database is BENCH_WAL_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/facteur_fairness;
 * the run uses a schema of its own and drops it afterwards.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { connect, migrate, type Db } from '../src/db/index.ts';
import { Queue } from '../src/queue/queue.ts';
import { Worker } from '../src/queue/worker.ts';
import { createSchema } from '../test/support/databases.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '10' },
    prefetch: { type: 'string', default: '100' },
    owners: { type: 'string', default: '1' },
    /** To try another fillfactor for processing_queue than the migrations set. */
    fillfactor: { type: 'string' },
  },
});
const JOBS = Number(values.jobs);
const OWNERS = Number(values.owners);
const serverUrl = process.env.BENCH_WAL_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/facteur_fairness';

interface Usage {
  records: number;
  bytes: number;
  /** Bytes of full-page images (the first change of a page after a checkpoint): they vary with timing. */
  fpiBytes: number;
  byRelation: Map<string, number>;
}

/** The WAL between two LSNs that belongs to the database `dbOid`: records on its relations, and commits of its transactions. */
function walOf(dataDir: string, from: string, to: string, dbOid: number, names: Map<string, string>): Usage {
  const text = execFileSync('/usr/lib/postgresql/15/bin/pg_waldump', ['-p', `${dataDir}/pg_wal`, '-s', from, '-e', to], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const usage: Usage = { records: 0, bytes: 0, fpiBytes: 0, byRelation: new Map() };
  const ours = new Set<string>();
  const xacts: { tx: string; tot: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^rmgr: (\S+)\s+len \(rec\/tot\):\s+(\d+)\/\s*(\d+), tx:\s+(\d+),.*?desc: (.*)$/.exec(line);
    if (!m) continue;
    const [, rmgr, rec, tot, tx, desc] = m;
    if (rmgr === 'Transaction') {
      xacts.push({ tx: tx!, tot: Number(tot) });
      continue;
    }
    const rel = /rel \d+\/(\d+)\/(\d+)/.exec(desc!);
    if (!rel || Number(rel[1]) !== dbOid) continue;
    if (tx !== '0') ours.add(tx!);
    usage.records += 1;
    usage.bytes += Number(tot);
    usage.fpiBytes += Number(tot) - Number(rec);
    const name = names.get(rel[2]!) ?? `relfilenode ${rel[2]}`;
    usage.byRelation.set(name, (usage.byRelation.get(name) ?? 0) + Number(tot));
  }
  for (const x of xacts) {
    if (!ours.has(x.tx)) continue;
    usage.records += 1;
    usage.bytes += x.tot;
    usage.byRelation.set('(commit records)', (usage.byRelation.get('(commit records)') ?? 0) + x.tot);
  }
  return usage;
}

async function lsn(db: Db): Promise<string> {
  // Flushed, so that pg_waldump can read up to it.
  const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
  return rows[0]!.lsn;
}

function report(phase: string, usage: Usage): void {
  const perJob = (n: number) => (n / JOBS).toFixed(1);
  console.log(
    `${phase}: ${perJob(usage.bytes)} WAL bytes/job (${perJob(usage.bytes - usage.fpiBytes)} without full-page images), ${(usage.records / JOBS).toFixed(2)} records/job`,
  );
  for (const [name, bytes] of [...usage.byRelation].sort((a, b) => b[1] - a[1]))
    console.log(`    ${name.padEnd(44)} ${perJob(bytes).padStart(8)}`);
}

const schema = await createSchema(serverUrl);
const db = await connect({ url: schema.url, applicationName: 'bench-queue-wal' });
try {
  await migrate(db);
  if (values.fillfactor) await db.query(`ALTER TABLE processing_queue SET (fillfactor = ${Number(values.fillfactor)})`);
  const { rows: facts } = await db.query<{ oid: number; dir: string }>(
    `SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::int AS oid, current_setting('data_directory') AS dir`,
  );
  const { oid, dir } = facts[0]!;
  const names = async () => {
    const { rows } = await db.query<{ node: string; name: string }>(
      `SELECT pg_relation_filenode(c.oid)::text AS node, c.relname AS name FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND pg_relation_filenode(c.oid) IS NOT NULL`,
    );
    return new Map(rows.map((r) => [r.node, r.name]));
  };
  const queue = new Queue(db);
  // A checkpoint first, so that both phases start from the same place (their full-page images then count alike).
  await db.query('CHECKPOINT');
  const t0 = await lsn(db);
  for (let i = 0; i < JOBS; i += 1000) {
    await queue.enqueueMany(
      Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({ task: 'noop', owner: `owner-${(i + k) % OWNERS}` })),
    );
  }
  const t1 = await lsn(db);
  await db.query('CHECKPOINT');
  const t2 = await lsn(db);
  const worker = new Worker({
    queue,
    tasks: { noop: async () => {} },
    logger: pino({ level: 'silent' }),
    concurrency: Number(values.concurrency),
    prefetch: Number(values.prefetch),
  });
  const started = performance.now();
  const drained = await worker.drain({ budgetMs: 600_000 });
  const drainMs = performance.now() - started;
  const t3 = await lsn(db);
  if (drained.completed !== JOBS) throw new Error(`expected ${JOBS} completed, got ${drained.completed}`);
  const relations = await names();
  console.log(
    `${JOBS} no-op jobs, ${OWNERS} owner(s)${values.fillfactor ? `, fillfactor ${values.fillfactor}` : ''}, concurrency ${values.concurrency}, prefetch ${values.prefetch}; drained in ${Math.round(drainMs)} ms (${Math.round(JOBS / (drainMs / 1000))} jobs/s, in-process worker)`,
  );
  report('enqueue (bulk, 1,000 per statement)', walOf(dir, t0, t1, oid, relations));
  report('claim + complete (Worker.drain)', walOf(dir, t2, t3, oid, relations));
} finally {
  await db.close();
  await schema.drop();
}
